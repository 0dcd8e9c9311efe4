"""SNS: moto's, unchanged (no extension); ``calls`` publishes for other services, as the caller."""
