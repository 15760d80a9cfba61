#!/usr/bin/env python3
"""Independent oracle for the SAE training step (DESIGN.md "two oracles"): a plain PyTorch implementation
written from docs/science.md §3-4, in float64. Writes a replay input folder (config.json, init.safetensors,
batches.npy) and the expected outputs (expected.json: losses per step and final parameters).

Run (needs Debian's python3-torch): python3 scripts/golden/make_sae_golden.py test/data/golden-sae
The outputs are committed, so the tests need no PyTorch."""
import json, struct, sys
from pathlib import Path
import numpy as np
import torch

out = Path(sys.argv[1] if len(sys.argv) > 1 else 'test/data/golden-sae')
out.mkdir(parents=True, exist_ok=True)
torch.manual_seed(1234)
d, s, T, B = 2, 4, 40, 32
lr, lam, gamma = 3e-3, 0.3, 0.5
warmup, cooldown = int(0.1 * T), int(0.2 * T)

# activations: the toy model's hidden plane with correlated amplitudes, plus a zero-norm sample
feats = torch.tensor([[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0], [0.0, -1.0]])
batches = torch.zeros(T, B, d)
for t in range(T):
    a = torch.rand(B)
    i = torch.randint(0, 2, (B,)); j = torch.randint(2, 4, (B,))
    batches[t] = a[:, None] * (feats[i] + feats[j])
batches[:, 0] = 0.0
batches = batches.float()

bound = (6.0 / (d * s)) ** 0.5
init = {
    'W_enc': (torch.rand(d, s) * 2 - 1) * bound,
    'b_enc': torch.zeros(s),
    'W_dec': (torch.rand(s, d) * 2 - 1) * bound,
    'b_dec': torch.randn(d) * 0.05,
}
init = {k: v.float() for k, v in init.items()}

def write_safetensors(path, tensors):
    header, offset, blobs = {}, 0, []
    for name in sorted(tensors):
        arr = tensors[name].detach().numpy().astype('<f4')
        header[name] = {'dtype': 'F32', 'shape': list(arr.shape), 'data_offsets': [offset, offset + arr.nbytes]}
        offset += arr.nbytes
        blobs.append(arr.tobytes())
    h = json.dumps(header)
    h += ' ' * ((8 - (8 + len(h)) % 8) % 8)
    path.write_bytes(struct.pack('<Q', len(h)) + h.encode() + b''.join(blobs))

config = {'model': 'sae', 'd': d, 's': s, 'lr': lr, 'l1': lam, 'betas': [0.0, 0.999], 'eps': 1e-8, 'weight_decay': 0.0,
          'steps': T, 'warmup_frac': 0.1, 'cooldown_frac': 0.2,
          'cos_penalty': {'variant': 'abs', 'coef': gamma, 'norm': 'code'}, 'normalize_decoder': True, 'pre_encoder_bias': False}
(out / 'config.json').write_text(json.dumps(config, indent=2) + '\n')
write_safetensors(out / 'init.safetensors', init)
np.save(out / 'batches.npy', batches.numpy().astype('<f4'))

# --- training in float64, the step order of docs/science.md §3
P = {k: v.double().clone().requires_grad_(True) for k, v in init.items()}
opt = torch.optim.Adam(P.values(), lr=lr, betas=(0.0, 0.999), eps=1e-8)
def factor(t):
    f = 1.0
    if warmup > 0: f = min(f, (t + 1) / warmup)
    if cooldown > 0 and t >= T - cooldown: f = min(f, 1 - (t - (T - cooldown)) / cooldown)
    return f
sched = torch.optim.lr_scheduler.LambdaLR(opt, factor)
losses = {'total': [], 'mse': [], 'l1': []}
for t in range(T):
    with torch.no_grad():
        P['W_dec'] /= P['W_dec'].norm(dim=1, keepdim=True)
    h = batches[t].double()
    f = torch.relu(h @ P['W_enc'] + P['b_enc'])
    hhat = f @ P['W_dec'] + P['b_dec']
    hn = (h ** 2).sum(-1)
    fvu = ((hhat - h) ** 2).sum(-1) / torch.where(hn > 0, hn, torch.ones_like(hn))
    l1 = lam * f.abs().sum(-1)
    w = P['W_dec'] / P['W_dec'].norm(dim=1, keepdim=True)
    S = w @ w.T
    pen = gamma * torch.tril(S).abs().mean()
    loss = fvu.mean() + l1.mean() + pen
    losses['total'].append(loss.item()); losses['mse'].append(fvu.mean().item()); losses['l1'].append(l1.mean().item())
    opt.zero_grad()
    loss.backward()
    with torch.no_grad():
        g = P['W_dec'].grad
        g -= (g * P['W_dec']).sum(1, keepdim=True) * P['W_dec']
    opt.step()
    sched.step()
expected = {'losses': losses, 'final': {k: v.detach().numpy().reshape(-1).tolist() for k, v in P.items()},
            'note': 'PyTorch ' + torch.__version__ + ' float64, written from docs/science.md §3-4 by scripts/golden/make_sae_golden.py'}
(out / 'expected.json').write_text(json.dumps(expected) + '\n')
print('wrote', out, 'final total loss', losses['total'][-1])
