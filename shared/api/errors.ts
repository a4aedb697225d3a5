// One error shape for both servers (the edge and the GPU node):
// {"error": {"code", "message", "fields?": [{"field", "message"}]}}.

export type FieldError = { field: string; message: string };
export type ErrorBody = { error: { code: string; message: string; fields?: FieldError[] } };

export function errorBody(code: string, message: string, fields?: FieldError[]): ErrorBody {
  return { error: fields ? { code, message, fields } : { code, message } };
}

/** What zod's `safeParse` gives on failure (any version): the issues, each with a path. */
export type IssueList = { issues: ReadonlyArray<{ path: readonly PropertyKey[]; message: string }> };

/** zod issues as named fields: `a.b` for nested paths, the keys of an unknown-keys issue, else "(body)". */
export function fieldErrors(error: IssueList): FieldError[] {
  return error.issues.map((issue) => {
    const field = issue.path.length > 0 ? issue.path.map(String).join(".") : ((issue as { keys?: string[] }).keys?.join(", ") ?? "(body)");
    return { field, message: issue.message };
  });
}
