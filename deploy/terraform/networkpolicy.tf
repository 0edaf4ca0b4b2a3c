# Default-deny in both directions for the AlertHealer pod, then only what it
# needs. Namespaces are matched by the kubernetes.io/metadata.name label that
# the API server sets on every namespace. Same rules as deploy/networkpolicy.yaml,
# with the API server narrowed to api_server_cidrs.
resource "kubernetes_network_policy_v1" "alerthealer" {
  metadata {
    name      = local.name
    namespace = local.namespace
    labels    = local.labels
  }

  spec {
    pod_selector {
      match_labels = local.selector
    }
    policy_types = ["Ingress", "Egress"]

    # Alertmanager (or Grafana) posts webhooks; Prometheus scrapes /metrics.
    # The namespace and pod selectors sit in ONE peer, so both must match.
    ingress {
      from {
        namespace_selector {
          match_labels = {
            "kubernetes.io/metadata.name" = var.monitoring_namespace
          }
        }
        pod_selector {
          match_expressions {
            key      = "app.kubernetes.io/name"
            operator = "In"
            values   = var.ingress_app_names
          }
        }
      }
      ports {
        protocol = "TCP"
        port     = "${local.service_port}"
      }
    }

    # DNS.
    egress {
      to {
        namespace_selector {
          match_labels = {
            "kubernetes.io/metadata.name" = "kube-system"
          }
        }
        pod_selector {
          match_labels = {
            "k8s-app" = "kube-dns"
          }
        }
      }
      ports {
        protocol = "UDP"
        port     = "53"
      }
      ports {
        protocol = "TCP"
        port     = "53"
      }
    }

    # The Kubernetes API server (443 for the service address, 6443 for the
    # endpoint the policy usually sees after DNAT).
    egress {
      dynamic "to" {
        for_each = var.api_server_cidrs
        content {
          ip_block {
            cidr = to.value
          }
        }
      }
      ports {
        protocol = "TCP"
        port     = "443"
      }
      ports {
        protocol = "TCP"
        port     = "6443"
      }
    }

    # Loki: the signal re-check before acting.
    egress {
      to {
        namespace_selector {
          match_labels = {
            "kubernetes.io/metadata.name" = var.monitoring_namespace
          }
        }
        pod_selector {
          match_labels = {
            "app.kubernetes.io/name" = "loki"
          }
        }
      }
      ports {
        protocol = "TCP"
        port     = "3100"
      }
    }

    # Alertmanager: escalations and silences.
    egress {
      to {
        namespace_selector {
          match_labels = {
            "kubernetes.io/metadata.name" = var.monitoring_namespace
          }
        }
        pod_selector {
          match_labels = {
            "app.kubernetes.io/name" = "alertmanager"
          }
        }
      }
      ports {
        protocol = "TCP"
        port     = "9093"
      }
    }
  }
}
