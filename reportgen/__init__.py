"""reportgen: credit-management analytics on a Polars core."""
