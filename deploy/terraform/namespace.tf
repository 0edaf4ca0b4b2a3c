resource "kubernetes_namespace_v1" "alerthealer" {
  count = var.create_namespace ? 1 : 0

  metadata {
    name = var.namespace
    labels = merge(local.labels, {
      # The pod runs unprivileged, so the strictest Pod Security Standard fits.
      "pod-security.kubernetes.io/enforce"         = "restricted"
      "pod-security.kubernetes.io/enforce-version" = "latest"
      "pod-security.kubernetes.io/audit"           = "restricted"
      "pod-security.kubernetes.io/audit-version"   = "latest"
      "pod-security.kubernetes.io/warn"            = "restricted"
      "pod-security.kubernetes.io/warn-version"    = "latest"
    })
  }

  lifecycle {
    # KYVERNO_LIFECYCLE_V1: goldilocks-vpa-auto-mode ClusterPolicy stamps this label on every namespace
    ignore_changes = [metadata[0].labels["goldilocks.fairwinds.com/vpa-update-mode"]]
  }
}

resource "kubernetes_service_account_v1" "alerthealer" {
  metadata {
    name      = local.name
    namespace = local.namespace
    labels    = local.labels
  }
  # Off for anything else that might borrow this account; the Deployment's pod
  # turns it on explicitly because it calls the Kubernetes API.
  automount_service_account_token = false
}
