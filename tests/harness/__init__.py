"""What the tests share to run the product for real: ASGI server, Celery processes, an SSE client, beat probes."""
