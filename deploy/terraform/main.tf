# AlertHealer as a Terraform module: the same objects as the kustomize base in
# deploy/ (kubectl apply -k deploy/), with the choices it leaves to overlays
# as variables. The test suite compares this module with deploy/*.yaml (RBAC
# rules, security contexts, probes), so the two cannot drift apart.

locals {
  name = "alerthealer"

  labels = merge(var.labels, {
    "app.kubernetes.io/name"       = "alerthealer"
    "app.kubernetes.io/part-of"    = "alerthealer"
    "app.kubernetes.io/managed-by" = "terraform"
  })
  # Selectors are immutable once applied: only the name label.
  selector = { "app.kubernetes.io/name" = "alerthealer" }

  namespace    = var.create_namespace ? kubernetes_namespace_v1.alerthealer[0].metadata[0].name : var.namespace
  tokens       = var.existing_tokens_secret != null ? var.existing_tokens_secret : kubernetes_secret_v1.tokens[0].metadata[0].name
  sqlite       = var.store_provider == "sqlite"
  tokens_dir   = "/var/run/secrets/alerthealer"
  data_dir     = "/var/lib/alerthealer"
  policies_dir = "/etc/alerthealer/policies"
  token_files  = ["webhook-token", "operator-token", "reader-token"]
  service_port = 8080

  # Settings as plain environment variables, written out as literal maps (the
  # tests compare them with deploy/deployment.yaml). The PostgreSQL connection
  # string comes from its Secret instead (see deployment.tf).
  base_env = {
    ASPNETCORE_HTTP_PORTS                                 = "${local.service_port}"
    AlertHealer__Kubernetes__Mode                         = "InCluster"
    AlertHealer__Auth__WebhookTokenFile                   = "${local.tokens_dir}/webhook-token"
    AlertHealer__Auth__OperatorTokenFile                  = "${local.tokens_dir}/operator-token"
    AlertHealer__Auth__ReaderTokenFile                    = "${local.tokens_dir}/reader-token"
    AlertHealer__PolicyFile                               = "${local.policies_dir}/policies.json"
    AlertHealer__Policies__whisker__Mode                  = var.whisker_policy_mode
    AlertHealer__Policies__whisker__Dependency__Namespace = var.calico_namespace
    AlertHealer__Policies__whisker__Target__Namespace     = var.calico_namespace
  }
  sqlite_env = {
    AlertHealer__Store__ConnectionString = "Data Source=${local.data_dir}/alerthealer.db"
  }
  # The store setting of the PostgreSQL provider.
  postgres_env = {
    AlertHealer__Store__Provider = "Postgres"
  }
  env = merge(local.base_env, local.sqlite ? local.sqlite_env : local.postgres_env, var.extra_env)
}
