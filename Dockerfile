# The Eye collector on a slim Debian with a headless Java 17 runtime.
#
# This Dockerfile packages the jar that the Maven build produces, so build that first:
#   ./mvnw -B -q package -DskipTests          # -> eye-collector/target/eye-collector.jar
#   docker build -t the-eye .
#   docker run -d --name eye -p 8080:8080 -v eye-data:/data \
#       -e EYE_APP_SHOP="shop:shop-key-1:$(openssl rand -hex 32)" the-eye
# Dockerfile.multistage builds the jar inside the image build instead (it needs Maven Central from the
# build). Configuration, volumes and verification: docs/docker.md.
FROM debian:bookworm-slim

# The JRE from Debian's own packages; apt is the only network the build needs.
RUN apt-get update \
 && apt-get install -y --no-install-recommends openjdk-17-jre-headless \
 && apt-get clean \
 && rm -rf /var/lib/apt/lists/*

# A system user without a login shell owns the data directory; the collector never runs as root.
RUN groupadd --system --gid 10001 eye \
 && useradd --system --uid 10001 --gid eye --home-dir /data --no-create-home --shell /usr/sbin/nologin eye \
 && mkdir -p /data /etc/eye \
 && chown eye:eye /data

COPY eye-collector/target/eye-collector.jar /opt/eye/eye-collector.jar
COPY docker/collector.properties /etc/eye/collector.properties

# Inside a container the collector must listen on every interface (127.0.0.1 is unreachable from outside).
# Settings come from EYE_<KEY> variables (they win over the file) and from the file EYE_CONFIG names:
# mount your own over /etc/eye/collector.properties. The database lives on the /data volume.
ENV EYE_HOST=0.0.0.0 \
    EYE_PORT=8080 \
    EYE_CONFIG=/etc/eye/collector.properties \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"

WORKDIR /data
VOLUME ["/data"]
EXPOSE 8080
USER eye:eye

# No curl in a slim image: bash's /dev/tcp sends GET /health and the answer must be a 200.
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${EYE_PORT:-8080} && printf 'GET /health HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q '^HTTP/1.1 200'"]

# Exec form: java is PID 1 and receives SIGTERM itself, then drains, commits and exits 0.
# Allow it time to drain: docker stop -t 70, compose stop_grace_period: 70s.
STOPSIGNAL SIGTERM
ENTRYPOINT ["java", "-jar", "/opt/eye/eye-collector.jar"]
CMD []
