resource "kubernetes_deployment_v1" "alerthealer" {
  metadata {
    name      = local.name
    namespace = local.namespace
    labels    = local.labels
  }

  spec {
    # SQLite: one replica, replaced with Recreate, because the database file is
    # on a ReadWriteOnce volume that only one pod can hold at a time (a
    # RollingUpdate would leave the new pod waiting for the old one's volume).
    # PostgreSQL: any number, rolled; heals stay single-flight by the Lease.
    replicas = var.replicas

    strategy {
      type = local.sqlite ? "Recreate" : "RollingUpdate"

      dynamic "rolling_update" {
        for_each = local.sqlite ? [] : [1]
        content {
          max_surge       = "1"
          max_unavailable = "0"
        }
      }
    }

    selector {
      match_labels = local.selector
    }

    template {
      metadata {
        labels = local.labels
      }

      spec {
        service_account_name = kubernetes_service_account_v1.alerthealer.metadata[0].name
        # The service calls the Kubernetes API with this account's token.
        automount_service_account_token = true
        enable_service_links            = false

        security_context {
          run_as_non_root = true
          # 1654 is the `app` user and group of the chiseled .NET images.
          run_as_user  = 1654
          run_as_group = 1654
          # Makes the data volume and the token files readable/writable by 1654.
          fs_group               = 1654
          fs_group_change_policy = "OnRootMismatch"
          seccomp_profile {
            type = "RuntimeDefault"
          }
        }

        container {
          name              = "alerthealer"
          image             = "${var.image}:${var.image_tag}"
          image_pull_policy = "IfNotPresent"

          port {
            name           = "http"
            container_port = local.service_port
            protocol       = "TCP"
          }

          dynamic "env" {
            for_each = local.env
            content {
              name  = env.key
              value = env.value
            }
          }

          dynamic "env" {
            for_each = local.sqlite ? [] : [1]
            content {
              name = "AlertHealer__Store__ConnectionString"
              value_from {
                secret_key_ref {
                  name = var.postgres_connection_secret
                  key  = var.postgres_connection_secret_key
                }
              }
            }
          }

          # The single-flight Lease lives in this namespace and names this pod as holder.
          env {
            name = "POD_NAMESPACE"
            value_from {
              field_ref {
                field_path = "metadata.namespace"
              }
            }
          }
          env {
            name = "POD_NAME"
            value_from {
              field_ref {
                field_path = "metadata.name"
              }
            }
          }
          # Warnings about AlertHealer itself are Events about this pod.
          env {
            name = "POD_UID"
            value_from {
              field_ref {
                field_path = "metadata.uid"
              }
            }
          }

          security_context {
            allow_privilege_escalation = false
            read_only_root_filesystem  = true
            privileged                 = false
            capabilities {
              drop = ["ALL"]
            }
          }

          # Gives the process up to 60 s to start before liveness counts.
          startup_probe {
            http_get {
              path = "/healthz"
              port = "http"
            }
            period_seconds    = 2
            failure_threshold = 30
          }
          liveness_probe {
            http_get {
              path = "/healthz"
              port = "http"
            }
            period_seconds    = 10
            timeout_seconds   = 2
            failure_threshold = 3
          }
          readiness_probe {
            http_get {
              path = "/readyz"
              port = "http"
            }
            period_seconds    = 5
            timeout_seconds   = 2
            failure_threshold = 3
          }

          # No CPU limit: throttling only slows the heal; memory is capped.
          resources {
            requests = {
              cpu    = "50m"
              memory = "96Mi"
            }
            limits = {
              memory = "256Mi"
            }
          }

          dynamic "volume_mount" {
            for_each = local.sqlite ? [1] : []
            content {
              name       = "data"
              mount_path = local.data_dir
            }
          }
          volume_mount {
            name       = "tokens"
            mount_path = local.tokens_dir
            read_only  = true
          }
          # A directory mount (no sub_path), so ConfigMap updates reach the pod.
          volume_mount {
            name       = "policies"
            mount_path = local.policies_dir
            read_only  = true
          }
          # The root filesystem is read-only; .NET needs a writable /tmp.
          volume_mount {
            name       = "tmp"
            mount_path = "/tmp"
          }
        }

        dynamic "volume" {
          for_each = local.sqlite ? [1] : []
          content {
            name = "data"
            persistent_volume_claim {
              claim_name = kubernetes_persistent_volume_claim_v1.data[0].metadata[0].name
            }
          }
        }
        volume {
          name = "tokens"
          secret {
            secret_name = local.tokens
            # Owner and group (fsGroup 1654) may read.
            default_mode = "0440"
            dynamic "items" {
              for_each = local.token_files
              content {
                key  = items.value
                path = items.value
              }
            }
          }
        }
        volume {
          name = "policies"
          config_map {
            name = kubernetes_config_map_v1.policies.metadata[0].name
          }
        }
        volume {
          name = "tmp"
          empty_dir {
            size_limit = "64Mi"
          }
        }
      }
    }
  }

  lifecycle {
    # KYVERNO_LIFECYCLE_V1: Kyverno admission webhook mutates dns_config with ndots=2
    ignore_changes = [spec[0].template[0].spec[0].dns_config]
  }
}
