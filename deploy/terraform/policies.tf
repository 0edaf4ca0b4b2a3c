# The policies as a ConfigMap that AlertHealer reloads without a restart
# (AlertHealer:PolicyFile). policies.json is the base's deploy/policies.yaml; the
# whisker_policy_mode and calico_namespace variables still override it key by key
# through environment variables.
resource "kubernetes_config_map_v1" "policies" {
  metadata {
    name      = "alerthealer-policies"
    namespace = local.namespace
    labels    = local.labels
  }

  data = {
    "policies.json" = var.policies_json != null ? var.policies_json : file("${path.module}/policies.json")
  }
}
