# syntax=docker/dockerfile:1
#
# Simple Bank server image. Stages:
#   chef     Rust toolchain + a pinned cargo-chef
#   planner  reduces the workspace to a dependency "recipe" (manifests + Cargo.lock)
#   builder  compiles the dependencies from the recipe (their own layer, cached until Cargo.toml or
#            Cargo.lock change), then the `simplebank` binary and the healthcheck probe
#   runtime  distroless/cc (glibc, CA certificates, tzdata; no shell, no package manager, no
#            compiler), non-root UID 65532, two files: the server and its probe
#
# Migrations (schema/) and the committed OpenAPI spec (doc/) are compiled into the binary, so the
# image needs no other file. Configuration comes from the environment (or an app.env file mounted in
# /app); see app.env.example. Build: `docker build -t simplebank .` (`make -f deploy.mk image`).

ARG RUST_VERSION=1.95
ARG CARGO_CHEF_VERSION=0.1.78

FROM rust:${RUST_VERSION}-slim-trixie AS chef
ARG CARGO_CHEF_VERSION
RUN cargo install cargo-chef --locked --version "${CARGO_CHEF_VERSION}"
WORKDIR /build
# Strip the release binary (profile settings are read from the environment by cargo; set here so
# the dependency layer and the final build use the same profile).
ENV CARGO_PROFILE_RELEASE_STRIP=symbols \
    CARGO_TERM_COLOR=never

FROM chef AS planner
COPY . .
RUN cargo chef prepare --recipe-path recipe.json

FROM chef AS builder
COPY --from=planner /build/recipe.json recipe.json
# Dependencies only: this layer is reused for as long as the recipe is unchanged.
RUN cargo chef cook --release --locked --bin simplebank --recipe-path recipe.json
COPY . .
RUN cargo build --release --locked --bin simplebank \
    && rustc --edition 2024 -C opt-level=s -C strip=symbols \
        -o target/release/healthcheck deploy/healthcheck.rs \
    && ./target/release/simplebank --version

FROM gcr.io/distroless/cc-debian13:nonroot AS runtime
WORKDIR /app
COPY --from=builder /build/target/release/simplebank /usr/local/bin/simplebank
COPY --from=builder /build/target/release/healthcheck /usr/local/bin/healthcheck
# Safe defaults: production refuses to start without DB_SOURCE and a real TOKEN_SYMMETRIC_KEY
# (compose sets ENVIRONMENT=development for local use).
ENV ENVIRONMENT=production \
    HTTP_SERVER_ADDRESS=0.0.0.0:8080 \
    GRPC_SERVER_ADDRESS=0.0.0.0:9090 \
    LOG_FORMAT=json
EXPOSE 8080 9090
# Numeric UID/GID so Kubernetes' runAsNonRoot can verify it (distroless' "nonroot" is 65532).
USER 65532:65532
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD ["/usr/local/bin/healthcheck"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/simplebank"]
CMD ["serve"]
