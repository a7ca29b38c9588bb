"""The IMF's IMTS dataset (ex-DOTS) behind the SDMX 3.0 API: request, fetch, parse."""
