# The three bearer tokens, read by the pod as files. Created from the
# sensitive variables unless existing_tokens_secret names a Secret you manage
# elsewhere (then no token value passes through Terraform or its state).
resource "kubernetes_secret_v1" "tokens" {
  count = var.existing_tokens_secret == null ? 1 : 0

  metadata {
    name      = "alerthealer-tokens"
    namespace = local.namespace
    labels    = local.labels
  }
  type = "Opaque"
  data = {
    "webhook-token"  = var.webhook_token
    "operator-token" = var.operator_token
    "reader-token"   = var.reader_token
  }
}
