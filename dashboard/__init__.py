"""The public dashboard at ``/dashboard/`` (issue 10): charts of what the registry has
published, drawn with Apache ECharts served from our own static files. It sits on top of the
registries, like ``api_docs``: it reads all three and none of them knows about it."""
