"""The HTML report of `demo --html` and `preview --html`: the dashboards' panels drawn from
documents (the saved visualizations' own queries, aggregations and Vega-Lite specs), rendered
offline to inline SVG with vl-convert (the optional extra `lambda-logs-opensearch[report]`)."""
