# The FinTech mesh: contracts, generated code, services and their checks.
# `make help` lists the targets.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
TOOLS := .tools/bin
UV_VERSION := 0.13.9
OPENAPI_PLUGIN := github.com/google/gnostic/cmd/protoc-gen-openapi@v0.7.1
GRPCURL := github.com/fullstorydev/grpcurl/cmd/grpcurl@v1.9.4
# Renders k8s/ overlays (make k8s, tests/k8s).
KUSTOMIZE := sigs.k8s.io/kustomize/kustomize/v5@v5.8.1
# Load generators for make bench: ghz (gRPC, over mTLS) from its Go module, wrk (HTTP, the edge) from Debian.
GHZ := github.com/bojand/ghz/cmd/ghz@v0.120.0
# The edge's global rate limit service (tools/mesh/ratelimit.py), pinned to a commit of envoyproxy/ratelimit (it
# has no tagged releases as Go modules). Its build takes a minute: the binary is cached by version outside the
# clone, so fresh clones and `make clean` reuse it.
RATELIMIT_VERSION := v1.4.1-0.20260122083618-3fb702589d36
RATELIMIT := github.com/envoyproxy/ratelimit/src/service_cmd@$(RATELIMIT_VERSION)
BIN_CACHE := $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/fintech-mesh/bin
# The local log store (VictoriaLogs, Apache-2.0): logs shipped by rsyslog, searched with LogsQL.
VICTORIALOGS_VERSION := v1.52.2
VICTORIALOGS := github.com/VictoriaMetrics/VictoriaLogs/app/victoria-logs@$(VICTORIALOGS_VERSION)
# vegeta (HTTP, open loop: requests start on schedule whatever the mesh answers) drives the edge at a fixed rate.
VEGETA := github.com/tsenart/vegeta/v12@v12.13.0
# The local mesh's Kafka broker: pom.xml's dependencies, copied from Maven Central.
KAFKA_LIBS := .tools/kafka/libs
# Client generators for the OpenAPI document's tests (tests/edge/test_generated_client.py): openapi-generator's
# CLI jar from Maven Central (tools/openapi/pom.xml) and TypeScript from npm (tools/openapi/package-lock.json).
OPENAPI_CLIENTS := .tools/openapi
BASE ?= main
# Jaeger v2 (traces, tools/mesh/jaeger.py). `go install` refuses its replace directives: it is built from a
# throwaway wrapper module (~8 min) and cached by version outside the clone like ratelimit.
JAEGER_VERSION := v1.75.0
# `make up COMPONENTS="postgres kafka"` starts only those (and what they depend on).
COMPONENTS ?=
# Spark's extra jars for the batch jobs (jobs/pom.xml: Iceberg, the PostgreSQL driver, S3A), cached outside the clone.
JAR_CACHE := $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/fintech-mesh/jars
# `make jobs JOBS=daily_payment_volumes` runs one; all of them by default.
JOBS ?= all

.DEFAULT_GOAL := help
.PHONY: help setup proto-deps gen check-gen lint format breaking test check mutation clean certs up down status models bench token policy k8s demo
.PHONY: jobs spark-jars

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

setup: $(VENV)/.ready $(TOOLS)/protoc-gen-openapi $(TOOLS)/grpcurl $(TOOLS)/kustomize $(TOOLS)/ghz $(TOOLS)/vegeta ratelimit jaeger wrk redis-server monitoring $(KAFKA_LIBS)/.ready \
		victoria-logs rsyslog versitygw \
		$(OPENAPI_CLIENTS)/openapi-generator-cli.jar $(OPENAPI_CLIENTS)/node_modules/.ready \
		spark-jars chromium kube-tools image-tools image-base ## create .venv and install every pinned tool and library

$(VENV)/.ready: pyproject.toml uv.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv sync --frozen --inexact --all-extras --quiet
	touch $@

# The OpenAPI generator is a Go program; `go install` pins it by module version.
$(TOOLS)/protoc-gen-openapi:
	GOBIN=$(abspath $(TOOLS)) go install $(OPENAPI_PLUGIN)

# grpcurl: the README's examples and the mesh tests call every service through server reflection.
$(TOOLS)/grpcurl:
	GOBIN=$(abspath $(TOOLS)) go install $(GRPCURL)

$(TOOLS)/kustomize:
	GOBIN=$(abspath $(TOOLS)) go install $(KUSTOMIZE)

$(TOOLS)/ghz:
	GOBIN=$(abspath $(TOOLS)) go install $(GHZ)

# Built into a scratch GOBIN (go install names it service_cmd), then moved into the cache under its version:
# an interrupted build leaves no half-written binary there.
$(BIN_CACHE)/ratelimit-$(RATELIMIT_VERSION):
	mkdir -p $(@D)
	scratch=$$(mktemp -d) && GOBIN=$$scratch go install $(RATELIMIT) && mv $$scratch/service_cmd $@.tmp \
		&& mv $@.tmp $@; status=$$?; rm -rf $$scratch; exit $$status

# A link to the cached version; re-linked whenever RATELIMIT_VERSION names another one.
.PHONY: ratelimit
ratelimit: $(BIN_CACHE)/ratelimit-$(RATELIMIT_VERSION)
	@mkdir -p $(TOOLS)
	@test "$$(readlink $(TOOLS)/ratelimit)" = "$<" || ln -sfn $< $(TOOLS)/ratelimit

$(BIN_CACHE)/jaeger-$(JAEGER_VERSION):
	mkdir -p $(@D)
	scratch=$$(mktemp -d) && cd $$scratch && go mod init wrapper >/dev/null 2>&1 \
		&& go get -tool github.com/jaegertracing/jaeger/cmd/jaeger@$(JAEGER_VERSION) \
		&& go build -o $@.tmp github.com/jaegertracing/jaeger/cmd/jaeger && mv $@.tmp $@; \
		status=$$?; rm -rf $$scratch; exit $$status

.PHONY: jaeger
jaeger: $(BIN_CACHE)/jaeger-$(JAEGER_VERSION)
	@mkdir -p $(TOOLS)
	@test "$$(readlink $(TOOLS)/jaeger)" = "$<" || ln -sfn $< $(TOOLS)/jaeger

$(TOOLS)/vegeta:
	GOBIN=$(abspath $(TOOLS)) go install $(VEGETA)

# wrk is for make bench only (no test needs it): installed when missing, a warning where apt cannot.
.PHONY: wrk
wrk:
	@command -v wrk >/dev/null || apt-get install -y -q wrk >/dev/null 2>&1 \
		|| (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q wrk >/dev/null 2>&1) \
		|| echo "warning: wrk not installed (apt-get install wrk); make bench needs it for the edge"

# Redis (online features, caches, the edge's global rate limit) is Debian's redis-server; apt does not start it
# here, the mesh's supervisor does (tools/mesh/redis_server.py).
.PHONY: redis-server
redis-server:
	@command -v redis-server >/dev/null || apt-get install -y -q redis-server >/dev/null 2>&1 \
		|| (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q redis-server >/dev/null 2>&1) \
		|| (echo "error: redis-server not installed (apt-get install redis-server)" && false)

# The operations console's browser test (tests/console) and README's pictures: Debian's chromium and its driver.
.PHONY: chromium
chromium:
	@(command -v chromium >/dev/null && command -v chromedriver >/dev/null) \
		|| apt-get install -y -q chromium chromium-driver >/dev/null 2>&1 \
		|| (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium chromium-driver >/dev/null 2>&1) \
		|| (echo "error: chromium not installed (apt-get install chromium chromium-driver)" && false)

# The local monitoring (tools/mesh/prometheus.py, alertmanager.py, exporters.py) and promtool for the rules' tests:
# Debian's packages. apt does not start them here; the mesh's supervisor runs our own instances.
MONITORING_PACKAGES := prometheus prometheus-alertmanager prometheus-postgres-exporter prometheus-redis-exporter
.PHONY: monitoring
monitoring:
	@command -v prometheus-alertmanager >/dev/null && command -v prometheus-postgres-exporter >/dev/null \
		&& command -v prometheus-redis-exporter >/dev/null && command -v promtool >/dev/null \
		|| apt-get install -y -q $(MONITORING_PACKAGES) >/dev/null 2>&1 \
		|| (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q $(MONITORING_PACKAGES) >/dev/null 2>&1) \
		|| (echo "error: monitoring not installed (apt-get install $(MONITORING_PACKAGES))" && false)

# The local log store (tools/mesh/victorialogs.py): VictoriaLogs, cached by version outside the clone like ratelimit.
$(BIN_CACHE)/victoria-logs-$(VICTORIALOGS_VERSION):
	mkdir -p $(@D)
	scratch=$$(mktemp -d) && GOBIN=$$scratch go install $(VICTORIALOGS) && mv $$scratch/victoria-logs $@.tmp \
		&& mv $@.tmp $@; status=$$?; rm -rf $$scratch; exit $$status

.PHONY: victoria-logs
victoria-logs: $(BIN_CACHE)/victoria-logs-$(VICTORIALOGS_VERSION)
	@mkdir -p $(TOOLS)
	@test "$$(readlink $(TOOLS)/victoria-logs)" = "$<" || ln -sfn $< $(TOOLS)/victoria-logs

# The log shipper (tools/mesh/rsyslog.py) is Debian's rsyslog with its Elasticsearch output; our own rsyslogd
# runs under the mesh's supervisor, never the system one.
.PHONY: rsyslog
rsyslog:
	@(test -x /usr/sbin/rsyslogd && test -n "$$(find /usr/lib -name omelasticsearch.so -print -quit 2>/dev/null)") \
		|| apt-get install -y -q rsyslog rsyslog-elasticsearch >/dev/null 2>&1 \
		|| (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q rsyslog rsyslog-elasticsearch >/dev/null 2>&1) \
		|| (echo "error: rsyslog not installed (apt-get install rsyslog rsyslog-elasticsearch)" && false)

# The local object store (tools/mesh/object_store.py): versitygw (Apache-2.0), an S3 gateway over a directory;
# the lake's bucket. Cached by version outside the clone like victoria-logs (~2 min to build).
VERSITYGW_VERSION := v1.8.0
VERSITYGW := github.com/versity/versitygw/cmd/versitygw@$(VERSITYGW_VERSION)
$(BIN_CACHE)/versitygw-$(VERSITYGW_VERSION):
	mkdir -p $(@D)
	scratch=$$(mktemp -d) && GOBIN=$$scratch go install $(VERSITYGW) && mv $$scratch/versitygw $@.tmp \
		&& mv $@.tmp $@; status=$$?; rm -rf $$scratch; exit $$status

.PHONY: versitygw
versitygw: $(BIN_CACHE)/versitygw-$(VERSITYGW_VERSION)
	@mkdir -p $(TOOLS)
	@test "$$(readlink $(TOOLS)/versitygw)" = "$<" || ln -sfn $< $(TOOLS)/versitygw

# Kafka 4 (KRaft) runs from its jars: no tarball, no Docker. Fetched again only when pom.xml changes.
$(KAFKA_LIBS)/.ready: pom.xml
	rm -rf $(KAFKA_LIBS)
	mvn -q -B dependency:copy-dependencies -DoutputDirectory=$(KAFKA_LIBS)
	touch $@

# Spark's extra jars, checked against the committed jobs/jars.sha256 (the job's class path is exactly that list).
# Maven runs only when a jar is missing or differs; --strict-checksums refuses a download Central's sums deny.
spark-jars:
	@mkdir -p $(JAR_CACHE)
	@cd $(JAR_CACHE) && sha256sum --check --quiet --status $(CURDIR)/jobs/jars.sha256 2>/dev/null \
		|| (mvn -q -B --strict-checksums -f $(CURDIR)/jobs/pom.xml dependency:copy-dependencies \
			-DoutputDirectory=$(JAR_CACHE) -Dmdep.overWriteReleases=true \
			&& sha256sum --check --quiet $(CURDIR)/jobs/jars.sha256)

$(OPENAPI_CLIENTS)/openapi-generator-cli.jar: tools/openapi/pom.xml
	mvn -q -B -f tools/openapi/pom.xml dependency:copy -DoutputDirectory=$(abspath $(OPENAPI_CLIENTS))
	touch $@

$(OPENAPI_CLIENTS)/node_modules/.ready: tools/openapi/package.json tools/openapi/package-lock.json
	mkdir -p $(OPENAPI_CLIENTS)
	cp tools/openapi/package.json tools/openapi/package-lock.json $(OPENAPI_CLIENTS)/
	cd $(OPENAPI_CLIENTS) && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

# The contracts' third-party imports (google/api, google/type, validate) under build/proto-deps, for buf and
# protoc. Every target that runs either depends on this, so each works first in a fresh clone.
proto-deps: $(VENV)/.ready
	$(BIN)/python -m tools.proto_deps

gen: setup proto-deps ## regenerate gen/ from proto/ (stubs, SDK, descriptor set, OpenAPI)
	$(BIN)/python -m tools.gen

check-gen: setup proto-deps ## fail when gen/ is not what `make gen` would write
	$(BIN)/python -m tools.gen --check

lint: setup proto-deps ## buf lint (STANDARD), buf format, ruff, mypy --strict (what [tool.mypy] lists), import contracts
	$(BIN)/buf lint
	$(BIN)/buf format --diff --exit-code proto
	$(BIN)/ruff check tools tests services libs models
	$(BIN)/ruff format --check tools tests services libs models
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m tools.policy check
	$(BIN)/python -m tools.k8s --check

format: setup proto-deps ## format the contracts and the Python code
	$(BIN)/buf format -w proto
	$(BIN)/ruff format tools tests services libs models

breaking: setup proto-deps ## buf breaking (WIRE_JSON) against BASE's committed descriptor set (BASE=main)
	$(BIN)/python -m tools.breaking $(BASE)

test: setup proto-deps ## run the test suite
	$(BIN)/pytest

check: lint check-gen breaking test mutation ## everything CI runs

policy: setup ## check istio/ against the contracts and workloads, print the call graph it allows
	$(BIN)/python -m tools.policy check
	$(BIN)/python -m tools.policy graph

k8s: setup ## regenerate k8s/base/generated/ and render the overlays into build/k8s/
	$(BIN)/python -m tools.k8s
	mkdir -p build/k8s
	$(TOOLS)/kustomize build k8s/overlays/dev > build/k8s/dev.yaml
	$(TOOLS)/kustomize build k8s/overlays/prod > build/k8s/prod.yaml
	@echo "rendered build/k8s/dev.yaml and build/k8s/prod.yaml"

certs: setup ## dev CA and one certificate per workload in var/certs
	$(BIN)/python -m tools.certs

# `make token ROLE=customer ARGS="--customer-id <uuid>"`: a user token for the REST edge (tools/edge/mint.py).
ROLE ?= admin
token: setup ## mint a development token for the REST edge (ROLE=customer|teller|risk_officer|compliance_officer|model_risk|admin)
	@$(BIN)/python -m tools.edge.mint --role $(ROLE) $(ARGS)

up: setup ## start the local mesh (PostgreSQL, Kafka, Triton, services, Envoy) and wait until ready
	$(BIN)/python -m tools.mesh up $(COMPONENTS)

demo: up ## bring the mesh up and play the narrated end-to-end scenario through the REST edge
	$(BIN)/python -m tools.demo

jobs: up ## run the Spark batch analytics over the lake (JOBS=all or one name; see python -m jobs --help)
	$(BIN)/python -m jobs $(JOBS)

down: ## stop the local mesh (its data stays in var/)
	$(BIN)/python -m tools.mesh down

status: ## each mesh component's process and readiness
	$(BIN)/python -m tools.mesh status

models: setup ## retrain the models (seeded; rewrites models/<name>/1/ bit for bit) and check their targets
	$(BIN)/python -m tools.models --check

bench: setup ## Triton inference, the mesh under load (ghz over mTLS, wrk through the edge), InitiatePayment by load, payments through the edge by arrival rate (vegeta), the stream processor's CPU per payment (var/bench/*.json)
	$(BIN)/python -m tools.mesh up
	$(BIN)/python -m tools.bench triton
	$(BIN)/python -m tools.bench mesh
	$(BIN)/python -m tools.bench payments
	$(BIN)/python -m tools.bench edge-rate --rates 20,40,60 --duration 60 --runs 3
	$(BIN)/python -m tools.bench analytics
	$(BIN)/python -m tools.bench console
	$(BIN)/python -m tools.bench flags

mutation: setup ## mutation testing of the pure rule modules against the unit tests (mutmut; build/mutation/report.md)
	$(BIN)/python -m tools.mutation

clean: ## remove the virtualenv, tools and build scratch
	rm -rf $(VENV) .tools build mutants

# A real Kubernetes API server for tests/k8s/test_apiserver.py: etcd and kube-apiserver, built from throwaway
# wrapper modules (their go.mod files carry replace directives `go install` refuses), istioctl for `istioctl
# analyze`, and the CRDs the manifests use (tools/k8s/crds.py pins their sources by version and sha256). Binaries
# and CRDs are cached by version outside the clone like jaeger: fresh clones and CI reuse them. kubectl is Debian's.
ETCD_VERSION := v3.7.3
KUBE_VERSION := v1.34.4
ISTIOCTL_VERSION := v0.0.0-20260827124520-eed52ebb66ad
.PHONY: kube-tools etcd kube-apiserver istioctl kubectl crds
kube-tools: etcd kube-apiserver istioctl kubectl crds

$(BIN_CACHE)/etcd-$(ETCD_VERSION):
	mkdir -p $(@D)
	scratch=$$(mktemp -d) && cd $$scratch && go mod init wrapper >/dev/null 2>&1 \
		&& go get -tool go.etcd.io/etcd/server/v3@$(ETCD_VERSION) \
		&& go build -o $@.tmp go.etcd.io/etcd/server/v3 && mv $@.tmp $@; \
		status=$$?; rm -rf $$scratch; exit $$status

# k8s.io/kubernetes requires its staging modules at v0.0.0 and replaces them with ./staging paths: the wrapper
# replaces each one its go.mod names with the published k8s.io/<name> of the same release (v1.34.4 -> v0.34.4).
# The version stamps are what Kubernetes' own build sets (else /version says v0.0.0-master).
KUBE_LDFLAGS := $(foreach p,k8s.io/component-base/version k8s.io/client-go/pkg/version,-X $(p).gitVersion=$(KUBE_VERSION) \
	-X $(p).gitMajor=$(word 1,$(subst ., ,$(KUBE_VERSION:v%=%))) -X $(p).gitMinor=$(word 2,$(subst ., ,$(KUBE_VERSION:v%=%))) \
	-X $(p).gitTreeState=clean)
$(BIN_CACHE)/kube-apiserver-$(KUBE_VERSION):
	mkdir -p $(@D)
	scratch=$$(mktemp -d) && cd $$scratch && go mod init wrapper >/dev/null 2>&1 \
		&& gomod=$$(go mod download -json k8s.io/kubernetes@$(KUBE_VERSION) | sed -n 's/^\s*"GoMod": "\(.*\)",$$/\1/p') \
		&& staging=$$(sed -n 's|^\s*\(k8s.io/[a-z0-9-]*\) => ./staging/.*|\1|p' $$gomod) && test -n "$$staging" \
		&& for m in $$staging; do go mod edit -replace $$m=$$m@$(patsubst v1.%,v0.%,$(KUBE_VERSION)) || exit 1; done \
		&& go get -tool k8s.io/kubernetes/cmd/kube-apiserver@$(KUBE_VERSION) \
		&& go build -ldflags "$(KUBE_LDFLAGS)" -o $@.tmp k8s.io/kubernetes/cmd/kube-apiserver && mv $@.tmp $@; \
		status=$$?; rm -rf $$scratch; exit $$status

$(BIN_CACHE)/istioctl-$(ISTIOCTL_VERSION):
	mkdir -p $(@D)
	scratch=$$(mktemp -d) && GOBIN=$$scratch go install istio.io/istio/istioctl/cmd/istioctl@$(ISTIOCTL_VERSION) \
		&& mv $$scratch/istioctl $@.tmp && mv $@.tmp $@; status=$$?; rm -rf $$scratch; exit $$status

etcd: $(BIN_CACHE)/etcd-$(ETCD_VERSION)
	@mkdir -p $(TOOLS)
	@test "$$(readlink $(TOOLS)/etcd)" = "$<" || ln -sfn $< $(TOOLS)/etcd

kube-apiserver: $(BIN_CACHE)/kube-apiserver-$(KUBE_VERSION)
	@mkdir -p $(TOOLS)
	@test "$$(readlink $(TOOLS)/kube-apiserver)" = "$<" || ln -sfn $< $(TOOLS)/kube-apiserver

istioctl: $(BIN_CACHE)/istioctl-$(ISTIOCTL_VERSION)
	@mkdir -p $(TOOLS)
	@test "$$(readlink $(TOOLS)/istioctl)" = "$<" || ln -sfn $< $(TOOLS)/istioctl

kubectl:
	@command -v kubectl >/dev/null || apt-get install -y -q kubectl >/dev/null 2>&1 \
		|| (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q kubectl >/dev/null 2>&1) \
		|| (echo "error: kubectl not installed (apt-get install kubectl)" && false)

crds: $(VENV)/.ready
	$(BIN)/python -m tools.k8s.crds
# The services' image (k8s/image/Containerfile, tools/image): podman and buildah build and run it (chroot
# isolation: no daemon, no privileges beyond root's), debootstrap makes its base on machines without a registry.
.PHONY: image image-tools image-base image-pin
image-tools:
	@(command -v podman >/dev/null && command -v buildah >/dev/null && command -v debootstrap >/dev/null) \
		|| apt-get install -y -q podman buildah debootstrap >/dev/null 2>&1 \
		|| (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q podman buildah debootstrap >/dev/null 2>&1) \
		|| (echo "error: podman, buildah, debootstrap not installed (apt-get install podman buildah debootstrap)" && false)

# The Debian bookworm base (debootstrap, ~2.5 min and the Debian mirror), made once per package list and kept in
# podman's storage: the only part of the image that needs the network, so make setup makes it.
image-base: $(VENV)/.ready image-tools
	@$(BIN)/python -m tools.image base >/dev/null

# `make image BASE=python` builds on the public python:3.11-slim-bookworm instead (needs a registry and PyPI).
image: BASE = debootstrap
image: setup ## build the services' image (podman) unless this tree's exists; record in build/image/image.json
	$(BIN)/python -m tools.image build --base $(BASE)

# `make image-pin REGISTRY=ghcr.io/bank` pushes there; without REGISTRY to an OCI layout in build/image/oci.
REGISTRY ?=
image-pin: image ## push the image and pin its digest in the overlays (kustomize images:)
	$(BIN)/python -m tools.image pin $(if $(REGISTRY),--registry $(REGISTRY))
