// One formatter for schema validation errors (zod's `issues`), shared by the experiment schema and replay:
// "path.to.field: message; other: message". Structural, so core needs no zod import.

export interface SchemaIssue {
  path: PropertyKey[];
  message: string;
}

export function formatIssues(e: { issues: SchemaIssue[] }): string {
  return e.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`).join('; ');
}
