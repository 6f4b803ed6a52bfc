"""Kommo (amoCRM) master → replicas configuration sync: pipelines, stages and custom fields."""
