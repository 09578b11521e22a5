"""Relations, one module per family; the stages (`kg.stages`) run them in dependency order."""
