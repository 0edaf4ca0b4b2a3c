# What AlertHealer may do in calico-system, and nothing more. A namespaced
# Role, not a ClusterRole: the service only ever looks at the goldmane and
# whisker pods in this one namespace. Same rules as deploy/rbac-calico-system.yaml.
resource "kubernetes_role_v1" "calico_system" {
  metadata {
    name      = local.name
    namespace = var.calico_namespace
    labels    = local.labels
  }

  # get/list/watch: before acting, re-check through the API that a goldmane
  # pod is Ready and find the current whisker pod (alerts can be stale).
  # delete: remove the wedged whisker pod; the tigera operator recreates it.
  # No pods/log, no pods/exec, no secrets: the decision is made from pod
  # status alone.
  rule {
    api_groups = [""]
    resources  = ["pods"]
    verbs      = ["get", "list", "watch", "delete"]
  }

  # An Event on every pod it restarts, so `kubectl get events -n calico-system` tells the story.
  rule {
    api_groups = ["events.k8s.io"]
    resources  = ["events"]
    verbs      = ["create"]
  }
}

resource "kubernetes_role_binding_v1" "calico_system" {
  metadata {
    name      = local.name
    namespace = var.calico_namespace
    labels    = local.labels
  }
  role_ref {
    api_group = "rbac.authorization.k8s.io"
    kind      = "Role"
    name      = kubernetes_role_v1.calico_system.metadata[0].name
  }
  subject {
    kind      = "ServiceAccount"
    name      = kubernetes_service_account_v1.alerthealer.metadata[0].name
    namespace = local.namespace
  }
}

# What AlertHealer may do in its own namespace. Same rules as
# deploy/rbac-alerthealer.yaml.
resource "kubernetes_role_v1" "alerthealer" {
  metadata {
    name      = local.name
    namespace = local.namespace
    labels    = local.labels
  }

  # A Lease makes a heal single-flight across replicas: only the holder may
  # delete the whisker pod. create makes the Lease the first time, get reads
  # the holder, update takes it over or renews it.
  rule {
    api_groups = ["coordination.k8s.io"]
    resources  = ["leases"]
    verbs      = ["get", "create", "update"]
  }

  # A Warning Event about AlertHealer's own pod when one of its own paths is
  # broken (a failed preflight, a silent detection path).
  rule {
    api_groups = ["events.k8s.io"]
    resources  = ["events"]
    verbs      = ["create"]
  }
}

resource "kubernetes_role_binding_v1" "alerthealer" {
  metadata {
    name      = local.name
    namespace = local.namespace
    labels    = local.labels
  }
  role_ref {
    api_group = "rbac.authorization.k8s.io"
    kind      = "Role"
    name      = kubernetes_role_v1.alerthealer.metadata[0].name
  }
  subject {
    kind      = "ServiceAccount"
    name      = kubernetes_service_account_v1.alerthealer.metadata[0].name
    namespace = local.namespace
  }
}

# The preflight asks the API server what AlertHealer may do (SelfSubjectAccessReview,
# `kubectl auth can-i` for its own identity). Cluster-scoped, so a ClusterRole: Kubernetes'
# default system:basic-user already grants it to every authenticated user; this explicit grant
# is for hardened clusters without that default. A review only answers questions about the
# caller's own rights. Same rule as deploy/rbac-preflight.yaml.
resource "kubernetes_cluster_role_v1" "preflight" {
  metadata {
    name   = "${local.name}-preflight"
    labels = local.labels
  }

  rule {
    api_groups = ["authorization.k8s.io"]
    resources  = ["selfsubjectaccessreviews"]
    verbs      = ["create"]
  }
}

resource "kubernetes_cluster_role_binding_v1" "preflight" {
  metadata {
    name   = "${local.name}-preflight"
    labels = local.labels
  }
  role_ref {
    api_group = "rbac.authorization.k8s.io"
    kind      = "ClusterRole"
    name      = kubernetes_cluster_role_v1.preflight.metadata[0].name
  }
  subject {
    kind      = "ServiceAccount"
    name      = kubernetes_service_account_v1.alerthealer.metadata[0].name
    namespace = local.namespace
  }
}
