# The address Alertmanager's (or Grafana's) webhook posts to; see the
# webhook_url output.
resource "kubernetes_service_v1" "alerthealer" {
  metadata {
    name      = local.name
    namespace = local.namespace
    labels    = local.labels
  }
  spec {
    type     = "ClusterIP"
    selector = local.selector
    port {
      name        = "http"
      port        = local.service_port
      target_port = "http"
      protocol    = "TCP"
    }
  }
}

# With one replica, min_available = 1 would block every node drain forever.
# max_unavailable = 1 lets the pod be evicted; the alert simply waits for the
# replacement (Alertmanager retries the webhook).
resource "kubernetes_pod_disruption_budget_v1" "alerthealer" {
  metadata {
    name      = local.name
    namespace = local.namespace
    labels    = local.labels
  }
  spec {
    max_unavailable = "1"
    selector {
      match_labels = local.selector
    }
  }
}
