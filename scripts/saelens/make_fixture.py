#!/usr/bin/env python3
"""Hand-written SAELens-layout fixtures for test/unit/saelens.test.ts (python3 standard library only: no torch,
no safetensors, no sae_lens; run from the repository root: python3 scripts/saelens/make_fixture.py).

Each folder is one SAE as SAELens 6.18.0's SAE.save_model writes it and SAE.load_from_disk reads it
(github.com/jbloomAus/SAELens sae_lens/saes/sae.py, sae_lens/constants.py, sae_lens/saes/{standard,topk,jumprelu}_sae.py,
sae_lens/loading/pretrained_sae_loaders.py, sae_lens/saes/gated_sae.py): cfg.json (SAEConfig.to_dict: d_in, d_sae, dtype, device,
apply_b_dec_to_input, normalize_activations, reshape_activations, metadata, architecture, + k and
rescale_acts_by_decoder_norm for topk) and sae_weights.safetensors (W_enc [d_in, d_sae], b_enc [d_sae],
W_dec [d_sae, d_in], b_dec [d_in], + threshold [d_sae] for jumprelu; gated: b_gate, r_mag, b_mag [d_sae] and no b_enc). The safetensors bytes are built by hand
here (u64 little-endian header length, JSON header, raw little-endian data), independent of the kit's writer.

expected.json holds, per SAE, inputs x and what SAELens's encode/decode compute on them, written out from those
files' formulas (in float64 from the stored values):
  standard: f = relu((x - b_dec * apply_b_dec_to_input) @ W_enc + b_enc)
  topk:     pre = ...; if rescale_acts_by_decoder_norm: pre *= |W_dec row|; f = relu on the k largest pre, 0 elsewhere;
            decode: f / |W_dec row| (when rescaling) @ W_dec + b_dec
  jumprelu: f = relu(pre) * (pre > threshold)
  gated:    f = (x' @ W_enc + b_gate > 0) * relu(x' @ (W_enc * exp(r_mag)) + b_mag), x' = x - b_dec * apply_b_dec_to_input
  x_hat = f @ W_dec + b_dec
"""
import json
import math
import os
import struct

OUT = os.path.join('test', 'data', 'saelens')

FMT = {'F32': ('<f', 4), 'F16': ('<e', 2), 'F64': ('<d', 8)}


def stored(values, dtype):
    """The values as the file stores them (rounded to the dtype), read back as Python floats."""
    f, _ = FMT[dtype]
    return [struct.unpack(f, struct.pack(f, v))[0] for v in values]


def safetensors_bytes(tensors, dtype):
    """tensors: list of (name, shape, flat values); one dtype for all, as torch's save_file writes a cast module."""
    f, w = FMT[dtype]
    header, data, off = {}, b'', 0
    for name, shape, values in sorted(tensors, key=lambda t: t[0]):
        raw = b''.join(struct.pack(f, v) for v in values)
        header[name] = {'dtype': dtype, 'shape': shape, 'data_offsets': [off, off + len(raw)]}
        data += raw
        off += len(raw)
    head = json.dumps(header, separators=(',', ':')).encode()
    head += b' ' * ((8 - len(head) % 8) % 8)
    return struct.pack('<Q', len(head)) + head + data


def mat(flat, rows, cols):
    return [flat[r * cols:(r + 1) * cols] for r in range(rows)]


def forward(arch, cfg, p, x):
    d, s = cfg['d_in'], cfg['d_sae']
    We, Wd = mat(p['W_enc'], d, s), mat(p['W_dec'], s, d)
    bias = p['b_dec'] if cfg.get('apply_b_dec_to_input', True) else [0.0] * d
    xin = [x[j] - bias[j] for j in range(d)]
    if arch == 'gated':
        xw = [sum(xin[j] * We[j][k] for j in range(d)) for k in range(s)]
        f = [max(math.exp(p['r_mag'][k]) * xw[k] + p['b_mag'][k], 0.0) if xw[k] + p['b_gate'][k] > 0 else 0.0 for k in range(s)]
        return f, [sum(f[k] * Wd[k][j] for k in range(s)) + p['b_dec'][j] for j in range(d)]
    pre = [sum(xin[j] * We[j][k] for j in range(d)) + p['b_enc'][k] for k in range(s)]
    norms = [math.sqrt(sum(v * v for v in Wd[k])) for k in range(s)]
    rescale = arch == 'topk' and cfg.get('rescale_acts_by_decoder_norm', False)
    if rescale:
        pre = [pre[k] * norms[k] for k in range(s)]
    if arch == 'standard':
        f = [max(v, 0.0) for v in pre]
    elif arch == 'topk':
        k = cfg['k'] if 'k' in cfg else cfg['activation_fn_kwargs']['k']
        order = sorted(range(s), key=lambda i: -pre[i])
        assert k == s or pre[order[k - 1]] != pre[order[k]], 'a tie at the k-th pre-activation: choose other values'
        keep = order[:k]
        f = [max(pre[k], 0.0) if k in keep else 0.0 for k in range(s)]
    else:
        f = [max(pre[k], 0.0) * (1.0 if pre[k] > p['threshold'][k] else 0.0) for k in range(s)]
    fd = [f[k] / norms[k] for k in range(s)] if rescale else f
    out = [sum(fd[k] * Wd[k][j] for k in range(s)) + p['b_dec'][j] for j in range(d)]
    return f, out


def write(name, cfg, params, dtype, xs, arch=None):
    arch = arch or cfg['architecture']
    d, s = cfg['d_in'], cfg['d_sae']
    shapes = {'W_enc': [d, s], 'b_enc': [s], 'W_dec': [s, d], 'b_dec': [d], 'threshold': [s], 'b_gate': [s], 'r_mag': [s], 'b_mag': [s]}
    params = {k: stored(v, dtype) for k, v in params.items()}
    folder = os.path.join(OUT, name)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, 'cfg.json'), 'w') as fh:
        json.dump(cfg, fh, indent=2)
        fh.write('\n')
    with open(os.path.join(folder, 'sae_weights.safetensors'), 'wb') as fh:
        fh.write(safetensors_bytes([(k, shapes[k], v) for k, v in params.items()], dtype))
    cases = []
    for x in xs:
        f, out = forward(arch, cfg, params, x)
        cases.append({'x': x, 'feature_acts': f, 'sae_out': out})
    return {'params': params, 'cases': cases}


META = {'sae_lens_version': '6.18.0', 'sae_lens_training_version': '6.18.0', 'model_name': 'fixture', 'hook_name': 'blocks.0.hook_resid_pre'}
XS = [[1.0, 0.5], [-0.75, 2.0], [0.25, -1.5]]
W_ENC = [0.5, -0.25, 1.0, 0.75, 0.5, -1.0]  # [d_in=2][d_sae=3]
W_DEC = [0.5, 0.5, -1.0, 0.25, 0.75, -0.5]  # [d_sae=3][d_in=2]

expected = {}
expected['standard'] = write(
    'standard',
    {'d_in': 2, 'd_sae': 3, 'dtype': 'float32', 'device': 'cpu', 'apply_b_dec_to_input': True,
     'normalize_activations': 'none', 'reshape_activations': 'none', 'metadata': META, 'architecture': 'standard'},
    {'W_enc': [v * 1.1 for v in W_ENC], 'b_enc': [0.1, -0.2, 0.05], 'W_dec': [v * 0.9 for v in W_DEC], 'b_dec': [0.3, -0.1]},
    'F32', XS)
# float16 tensors and a decoder that is not unit-norm with rescale_acts_by_decoder_norm (what TopK training writes)
expected['topk'] = write(
    'topk',
    {'d_in': 2, 'd_sae': 3, 'dtype': 'float16', 'device': 'cpu', 'apply_b_dec_to_input': False,
     'normalize_activations': 'none', 'reshape_activations': 'none', 'metadata': META, 'architecture': 'topk',
     'k': 2, 'rescale_acts_by_decoder_norm': True},
    {'W_enc': W_ENC, 'b_enc': [0.125, -0.25, 0.0], 'W_dec': [2 * v for v in W_DEC], 'b_dec': [0.5, -0.25]},
    'F16', XS)
expected['jumprelu'] = write(
    'jumprelu',
    {'d_in': 2, 'd_sae': 3, 'dtype': 'float32', 'device': 'cpu', 'apply_b_dec_to_input': True,
     'normalize_activations': 'none', 'reshape_activations': 'none', 'metadata': META, 'architecture': 'jumprelu'},
    {'W_enc': W_ENC, 'b_enc': [0.0, 0.1, -0.1], 'W_dec': W_DEC, 'b_dec': [0.2, 0.1], 'threshold': [0.3, 0.05, 0.6]},
    'F32', XS)
# gated: the gate closes latent 1 on the first input while its magnitude path would be positive (b_gate < 0 < b_mag)
expected['gated'] = write(
    'gated',
    {'d_in': 2, 'd_sae': 3, 'dtype': 'float32', 'device': 'cpu', 'apply_b_dec_to_input': True,
     'normalize_activations': 'none', 'reshape_activations': 'none', 'metadata': META, 'architecture': 'gated'},
    {'W_enc': W_ENC, 'b_gate': [0.1, -0.5, 0.0], 'r_mag': [0.5, -0.25, 0.0], 'b_mag': [-0.05, 0.4, 0.2],
     'W_dec': W_DEC, 'b_dec': [0.1, -0.2]},
    'F32', XS)
# a SAELens 5.x config (no architecture, no sae_lens_version >= 6): handle_pre_6_0_config makes it "topk" with k 1
expected['pre6-topk'] = write(
    'pre6-topk',
    {'d_in': 2, 'd_sae': 3, 'dtype': 'float32', 'device': 'cpu', 'model_name': 'gpt2', 'hook_point': 'blocks.0.hook_resid_pre',
     'activation_fn_str': 'topk', 'activation_fn_kwargs': {'k': 1}, 'apply_b_dec_to_input': True,
     'normalize_activations': False, 'sae_lens_training_version': '5.3.0', 'finetuning_scaling_factor': False},
    {'W_enc': W_ENC, 'b_enc': [0.0, 0.0, 0.0], 'W_dec': W_DEC, 'b_dec': [0.0, 0.0]},
    'F32', XS, arch='topk')
with open(os.path.join(OUT, 'expected.json'), 'w') as fh:
    json.dump(expected, fh, indent=1)
    fh.write('\n')
print('wrote', sorted(expected))
