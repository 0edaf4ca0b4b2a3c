terraform {
  # Validation blocks that refer to other variables (replicas vs. store_provider,
  # the tokens vs. existing_tokens_secret) need Terraform 1.9.
  required_version = ">= 1.9.0"

  required_providers {
    kubernetes = {
      source = "hashicorp/kubernetes"
      # Only the *_v1 resources are used: they exist in 2.x and are the
      # non-deprecated names in 3.x.
      version = ">= 2.31.0, < 4.0.0"
    }
  }
}
