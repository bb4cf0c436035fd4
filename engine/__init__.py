"""diagflow's engine: the services around SpiffWorkflow that the web layer and workers call."""
