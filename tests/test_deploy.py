"""deploy/: the image, compose and Kubernetes files an operator runs, checked offline (no container
runtime or cluster here): hadolint on the Dockerfile, the Compose Specification's own schema on the
compose file, Kubernetes' OpenAPI schemas (kubernetes-validate) on every manifest. The image's install
path itself runs for real in tests/test_installed_wheel.py."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
KUBERNETES = DEPLOY / "kubernetes"
BIN = Path(sys.executable).parent
SETTINGS = {name.upper() for name in Settings.model_fields}
TEXT_SETTINGS = {"CONSULTBOT_PROMPTS_DIR", "CONSULTBOT_HLCM_QUESTIONNAIRE"}  # read by bot/texts.py, bot/hlcm
TEXT_SETTINGS.add("CONSULTBOT_MAPPING_SURVEYS")  # read by bot/mapping/survey.py
SECRETS = {"SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_CLIENT_SECRET", "DATABASE_URL"}


def tool(name: str) -> str:
    path = shutil.which(name, path=str(BIN)) or shutil.which(name)
    assert path, f"{name} is missing: pip install -e '.[test]'"
    return path


def hadolint(dockerfile: Path) -> subprocess.CompletedProcess:
    return subprocess.run([tool("hadolint"), "--no-color", "--failure-threshold", "warning", str(dockerfile)],
                          capture_output=True, text=True, timeout=60)


def instructions(dockerfile: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments left out."""
    text = re.sub(r"\\\n\s*", " ", "\n".join(line for line in dockerfile.read_text().splitlines()
                                              if not line.lstrip().startswith("#")))
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in text.splitlines() if line.strip()]


def check_jsonschema(schema: Path, document: Path) -> subprocess.CompletedProcess:
    return subprocess.run([tool("check-jsonschema"), "--schemafile", str(schema), str(document)],
                          capture_output=True, text=True, timeout=60)


# --- the image ---------------------------------------------------------------------------------

def test_the_dockerfile_passes_hadolint_without_a_warning():
    result = hadolint(DEPLOY / "Dockerfile")
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_does_flag_a_careless_dockerfile(tmp_path):
    careless = tmp_path / "Dockerfile"
    careless.write_text("FROM python:latest\nRUN pip install slack-bolt\nCMD consultbot serve\n")
    result = hadolint(careless)
    assert result.returncode != 0
    assert "DL3007" in result.stdout and "DL3013" in result.stdout  # :latest, unpinned pip install


def test_the_image_builds_the_wheel_then_serves_as_a_non_root_user_with_a_health_check():
    steps = instructions(DEPLOY / "Dockerfile")
    stages = [args for name, args in steps if name == "FROM"]
    assert stages == ["python:3.11-slim AS build", "python:3.11-slim"]
    build, final = _split_stages(steps)
    assert any(name == "RUN" and "pip wheel" in args for name, args in build)
    assert any(name == "COPY" and args.startswith("--from=build ") for name, args in final)
    assert any(name == "RUN" and "pip install" in args and ".whl" in args for name, args in final)
    (user,) = [args for name, args in final if name == "USER"]
    assert user.split(":")[0] not in ("root", "0")
    (health,) = [args for name, args in final if name == "HEALTHCHECK"]
    assert "/healthz" in health and "CMD" in health
    (cmd,) = [args for name, args in final if name == "CMD"]
    assert json.loads(cmd) == ["consultbot", "serve"]  # exec form: consultbot itself receives SIGTERM


def _split_stages(steps):
    second = [i for i, (name, _) in enumerate(steps) if name == "FROM"][1]
    return steps[:second], steps[second:]


def test_the_build_context_holds_what_the_image_copies_and_no_secrets():
    patterns = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
                if line.strip() and not line.startswith("#")]
    assert patterns[0] == "*"  # nothing unless let in
    let_in = {p[1:].rstrip("/") for p in patterns if p.startswith("!")}
    copied = {src.rstrip("/").removeprefix("./") for name, args in instructions(DEPLOY / "Dockerfile")
              if name == "COPY" and not args.startswith("--from") for src in args.split()[:-1]}
    assert copied == let_in == {"pyproject.toml", "README.md", "bot", "storage", "prompts"}
    assert "**/.env" in patterns and "**/*.sqlite3" in patterns


# --- compose -----------------------------------------------------------------------------------

def test_the_compose_file_is_valid_against_the_compose_specification():
    result = check_jsonschema(DEPLOY / "schemas" / "compose-spec.json", DEPLOY / "compose.yaml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_vendored_schema_does_reject_a_wrong_compose_file(tmp_path):
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    compose["services"]["bot"]["depends_on"]["db"]["condition"] = "service_ready"
    wrong = tmp_path / "compose.yaml"
    wrong.write_text(yaml.safe_dump(compose))
    result = check_jsonschema(DEPLOY / "schemas" / "compose-spec.json", wrong)
    assert result.returncode == 1 and "service_ready" in result.stdout


def test_compose_starts_the_bot_once_postgres_16_is_healthy():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    db, bot = compose["services"]["db"], compose["services"]["bot"]
    assert db["image"] == "postgres:16"
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    (volume,) = db["volumes"]
    assert volume.split(":")[0] in compose["volumes"]  # a named volume: the data outlives the container
    assert bot["depends_on"] == {"db": {"condition": "service_healthy"}}
    assert bot["build"] == {"context": "..", "dockerfile": "deploy/Dockerfile"}
    assert bot["env_file"] == ".env"  # deploy/.env, a copy of deploy/.env.example
    assert bot["environment"]["DATABASE_URL"].startswith("postgresql+psycopg://consultbot:${POSTGRES_PASSWORD")
    assert "@db:5432/consultbot" in bot["environment"]["DATABASE_URL"]


def _example_names() -> dict[str, str | None]:
    """NAME -> value of deploy/.env.example; None for a commented-out `# NAME=…` line."""
    names = {}
    for line in (DEPLOY / ".env.example").read_text().splitlines():
        match = re.match(r"^(# )?([A-Z][A-Z0-9_]+)=(.*)$", line)
        if match:
            names[match.group(2)] = None if match.group(1) else match.group(3)
    return names


def test_the_example_env_names_every_setting_and_the_readme_documents_each():
    names = _example_names()
    assert set(names) == SETTINGS | TEXT_SETTINGS | {"POSTGRES_PASSWORD"}
    table = [line for line in (ROOT / "README.md").read_text().splitlines() if line.lstrip().startswith("|")]
    undocumented = sorted(name for name in SETTINGS | TEXT_SETTINGS if not any(f"`{name}`" in row for row in table))
    assert undocumented == []
    secrets = {name: value for name, value in names.items() if name in SECRETS | {"POSTGRES_PASSWORD"} and value}
    assert secrets and all("replace-me" in value for value in secrets.values())


def test_the_example_env_is_a_valid_configuration(monkeypatch):
    for name in SETTINGS:
        monkeypatch.delenv(name, raising=False)
    settings = Settings(_env_file=str(DEPLOY / ".env.example"))
    assert settings.has_slack_credentials and settings.port == 3000 and settings.secretariat_users == []


# --- Kubernetes --------------------------------------------------------------------------------

def kustomization() -> dict:
    return yaml.safe_load((KUBERNETES / "kustomization.yaml").read_text())


def manifest(name: str) -> dict:
    return yaml.safe_load((KUBERNETES / name).read_text())


MANIFESTS = sorted(p.name for p in KUBERNETES.glob("*.yaml") if p.name != "kustomization.yaml")


def test_the_kustomization_lists_every_manifest_of_the_folder():
    base = kustomization()
    assert (base["apiVersion"], base["kind"]) == ("kustomize.config.k8s.io/v1beta1", "Kustomization")
    assert sorted(base["resources"]) == MANIFESTS
    assert len(MANIFESTS) == 6


@pytest.mark.parametrize("name", MANIFESTS)
def test_each_manifest_is_valid_against_the_kubernetes_schemas(name):
    documents = [d for d in yaml.safe_load_all((KUBERNETES / name).read_text()) if d]
    assert documents
    for document in documents:
        kubernetes_validate.validate(document, "1.30", strict=True)  # raises on an unknown or mistyped field


def test_the_deployment_runs_two_non_root_replicas_with_both_probes_and_resources():
    deployment = manifest("deployment.yaml")
    spec = deployment["spec"]
    pod = spec["template"]["spec"]
    (container,) = pod["containers"]
    assert spec["replicas"] == 2
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert {"cpu", "memory"} <= set(container["resources"]["requests"]) and container["resources"]["limits"]["memory"]
    assert container["command"] + container["args"] == ["consultbot", "serve"]
    assert {"consultbot-settings", "consultbot-secrets"} == {
        (source.get("configMapRef") or source.get("secretRef"))["name"] for source in container["envFrom"]}
    labels = spec["template"]["metadata"]["labels"]
    for selector in (spec["selector"]["matchLabels"], manifest("service.yaml")["spec"]["selector"],
                     manifest("poddisruptionbudget.yaml")["spec"]["selector"]["matchLabels"]):
        assert selector.items() <= labels.items()


def test_the_secret_holds_the_tokens_and_the_configmap_every_other_setting():
    secret = manifest("secret.yaml")["stringData"]
    settings = manifest("configmap.yaml")["data"]
    assert set(secret) == {"SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_CLIENT_SECRET", "DATABASE_URL"}
    assert all("replace-me" in value for value in secret.values())
    assert set(settings) == SETTINGS - SECRETS
    assert all(isinstance(value, str) for value in settings.values())  # a ConfigMap holds strings only
