"""The revenue dashboard (Streamlit + Plotly) over the serving file: `make dashboard`.

``queries`` holds every page's SQL (read from the published marts only); ``app`` lays the pages out."""
