# ---------------------------------------------------------------------------
# Where it runs

variable "namespace" {
  description = "Namespace AlertHealer runs in. Its Lease for single-flight heals lives here too."
  type        = string
  default     = "alerthealer"
}

variable "create_namespace" {
  description = "Create the namespace (restricted Pod Security Standard). Set false to use one you manage yourself."
  type        = bool
  default     = true
}

variable "calico_namespace" {
  description = "Namespace of the whisker and goldmane pods (the tigera operator's calico-system). AlertHealer's Role there allows only what it needs on pods."
  type        = string
  default     = "calico-system"
}

variable "monitoring_namespace" {
  description = "Namespace of Alertmanager, Prometheus, Loki (and Grafana): the NetworkPolicy admits webhooks and scrapes from it and lets AlertHealer reach Loki and Alertmanager there."
  type        = string
  default     = "monitoring"
}

variable "ingress_app_names" {
  description = "app.kubernetes.io/name of the pods in monitoring_namespace that may call AlertHealer (webhook senders and the scraper). Add \"grafana\" when Grafana Alerting posts the webhook."
  type        = list(string)
  default     = ["alertmanager", "prometheus"]
}

variable "api_server_cidrs" {
  description = "CIDRs of the Kubernetes API server as the NetworkPolicy sees them after DNAT, e.g. the /32 addresses from `kubectl get endpointslices -n default -l kubernetes.io/service-name=kubernetes`."
  type        = list(string)

  validation {
    condition     = length(var.api_server_cidrs) > 0 && alltrue([for c in var.api_server_cidrs : can(cidrhost(c, 0))])
    error_message = "api_server_cidrs must list at least one CIDR (for example \"10.0.0.10/32\")."
  }
}

# ---------------------------------------------------------------------------
# What runs

variable "image" {
  description = "AlertHealer container image repository, without tag or digest (those are image_tag)."
  type        = string
  default     = "ghcr.io/alerthealer/alerthealer"

  validation {
    condition     = !strcontains(var.image, "@") && !can(regex(":[^/]*$", var.image))
    error_message = "image is the repository alone, e.g. ghcr.io/alerthealer/alerthealer; put the version (and digest) in image_tag."
  }
}

variable "image_tag" {
  description = "The AlertHealer release to run: its version, e.g. \"1.0.0\", or pinned by digest as \"1.0.0@sha256:<64 hex>\" (recommended: a digest never moves). The default is the release this module ships with."
  type        = string
  default     = "1.0.0"

  validation {
    condition     = can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+(-[0-9A-Za-z.-]+)?(@sha256:[0-9a-f]{64})?$", var.image_tag))
    error_message = "image_tag must be a release version (1.0.0), optionally pinned by digest: 1.0.0@sha256:<64 lowercase hex digits>."
  }
}

variable "replicas" {
  description = "Number of pods. 1 with the SQLite store (a ReadWriteOnce volume); more only with store_provider = \"postgres\", where the Lease keeps heals single-flight."
  type        = number
  default     = 1

  validation {
    condition     = var.replicas >= 1 && floor(var.replicas) == var.replicas
    error_message = "replicas must be a whole number of at least 1."
  }

  validation {
    condition     = var.store_provider == "postgres" || var.replicas == 1
    error_message = "replicas must be 1 with store_provider = \"sqlite\": the database file is on a ReadWriteOnce volume. Use store_provider = \"postgres\" for more."
  }
}

variable "store_provider" {
  description = "Where the audit log, inbox and policy state live: \"sqlite\" (a file on a PersistentVolumeClaim; one replica, Recreate) or \"postgres\" (no PVC; replicas may be more than 1, RollingUpdate)."
  type        = string
  default     = "sqlite"

  validation {
    condition     = contains(["sqlite", "postgres"], var.store_provider)
    error_message = "store_provider must be \"sqlite\" or \"postgres\"."
  }
}

variable "postgres_connection_secret" {
  description = "With store_provider = \"postgres\": name of an existing Secret in the namespace holding the Npgsql connection string under postgres_connection_secret_key."
  type        = string
  default     = null

  validation {
    condition     = var.store_provider != "postgres" || (var.postgres_connection_secret != null && try(length(var.postgres_connection_secret) > 0, false))
    error_message = "postgres_connection_secret must name a Secret when store_provider = \"postgres\"."
  }
}

variable "postgres_connection_secret_key" {
  description = "Key in postgres_connection_secret that holds the connection string."
  type        = string
  default     = "connection-string"
}

variable "storage_class" {
  description = "StorageClass of the SQLite volume; null uses the cluster's default class."
  type        = string
  default     = null
}

variable "storage_size" {
  description = "Size of the SQLite volume."
  type        = string
  default     = "1Gi"
}

variable "whisker_policy_mode" {
  description = "Mode of the shipped whisker policy: \"Enforce\" deletes the wedged pod, \"DryRun\" records `dry-run` in the audit log and deletes nothing (use it beside an old watchdog while switching over)."
  type        = string
  default     = "Enforce"

  validation {
    condition     = contains(["Enforce", "DryRun"], var.whisker_policy_mode)
    error_message = "whisker_policy_mode must be \"Enforce\" or \"DryRun\"."
  }
}

variable "extra_env" {
  description = "More AlertHealer settings as environment variables, e.g. { \"AlertHealer__Loki__BaseUrl\" = \"http://loki.monitoring.svc:3100\" }."
  type        = map(string)
  default     = {}
}

# ---------------------------------------------------------------------------
# Bearer tokens

variable "existing_tokens_secret" {
  description = "Name of an existing Secret in the namespace with keys webhook-token, operator-token and reader-token. When set, no Secret is created and the token variables are ignored (nothing secret lands in the Terraform state)."
  type        = string
  default     = null
}

variable "webhook_token" {
  description = "Bearer token Alertmanager (or Grafana) presents on POST /webhook/alertmanager. At least 16 characters, e.g. `openssl rand -hex 32`. Ignored when existing_tokens_secret is set."
  type        = string
  default     = null
  sensitive   = true

  validation {
    condition     = var.existing_tokens_secret != null || try(length(var.webhook_token) >= 16 && var.webhook_token != "CHANGE-ME", false)
    error_message = "webhook_token must be at least 16 characters (openssl rand -hex 32), unless existing_tokens_secret is set."
  }
}

variable "operator_token" {
  description = "Bearer token for /remediate, /simulate, pause/resume/reset and the breaker. At least 16 characters. Ignored when existing_tokens_secret is set."
  type        = string
  default     = null
  sensitive   = true

  validation {
    condition     = var.existing_tokens_secret != null || try(length(var.operator_token) >= 16 && var.operator_token != var.webhook_token, false)
    error_message = "operator_token must be at least 16 characters and differ from webhook_token, unless existing_tokens_secret is set."
  }
}

variable "reader_token" {
  description = "Bearer token for /audit and /policies. At least 16 characters. Ignored when existing_tokens_secret is set."
  type        = string
  default     = null
  sensitive   = true

  validation {
    condition     = var.existing_tokens_secret != null || try(length(var.reader_token) >= 16 && var.reader_token != var.webhook_token && var.reader_token != var.operator_token, false)
    error_message = "reader_token must be at least 16 characters and differ from the other two tokens, unless existing_tokens_secret is set."
  }
}

variable "labels" {
  description = "Extra labels for every object the module creates."
  type        = map(string)
  default     = {}
}

variable "policies_json" {
  description = "The policy file (JSON holding only AlertHealer.Policies, as deploy/terraform/policies.json). Null ships the whisker policy. A change is applied by AlertHealer without a restart, or refused with the old policies kept."
  type        = string
  default     = null
}
