// Azure DevOps PATs: 84 alphanumerics with AZDO at positions 76-80 (older ones are 52
// base32 characters, too plain a shape to pick out of text: redacted by value).
export const azureTokenPatterns: readonly RegExp[] = [/()\b[A-Za-z0-9]{76}AZDO[A-Za-z0-9]{4}\b/g];
