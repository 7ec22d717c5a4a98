"""Stage 5, fit: model specs, designs, the estimation layer and its backends, robustness and design-based checks."""
