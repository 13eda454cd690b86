"""Planning: the plan and its process — life cycle and plan process, import of plans,
documents, context layers, hearing parties, innsigelser, the medvirkning activities."""
