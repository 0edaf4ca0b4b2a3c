output "webhook_url" {
  description = "URL for Alertmanager's webhook_configs (or Grafana's webhook contact point)."
  value       = "http://${kubernetes_service_v1.alerthealer.metadata[0].name}.${local.namespace}.svc:${local.service_port}/webhook/alertmanager"
}

output "service_url" {
  description = "Base URL of AlertHealer's HTTP API inside the cluster (/audit, /policies, /remediate, /metrics)."
  value       = "http://${kubernetes_service_v1.alerthealer.metadata[0].name}.${local.namespace}.svc:${local.service_port}"
}

output "namespace" {
  description = "Namespace AlertHealer runs in."
  value       = local.namespace
}

output "tokens_secret_name" {
  description = "Secret holding webhook-token, operator-token and reader-token (created here or existing_tokens_secret)."
  value       = local.tokens
}

output "service_account_name" {
  description = "ServiceAccount the pod runs as (bound to the calico-system and own-namespace Roles)."
  value       = kubernetes_service_account_v1.alerthealer.metadata[0].name
}
