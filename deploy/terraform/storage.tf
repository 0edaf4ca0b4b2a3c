# Holds the SQLite audit database: only with store_provider = "sqlite".
# ReadWriteOnce, one node, one pod at a time, which is why the Deployment then
# has one replica and the Recreate strategy.
resource "kubernetes_persistent_volume_claim_v1" "data" {
  count = var.store_provider == "sqlite" ? 1 : 0

  metadata {
    name      = "alerthealer-data"
    namespace = local.namespace
    labels    = local.labels
  }
  spec {
    access_modes       = ["ReadWriteOnce"]
    storage_class_name = var.storage_class
    resources {
      requests = {
        storage = var.storage_size
      }
    }
  }
  # WaitForFirstConsumer classes bind only once the pod is scheduled, which
  # happens after this resource: waiting here would never finish.
  wait_until_bound = false
}
