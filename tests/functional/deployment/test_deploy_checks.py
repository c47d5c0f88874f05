"""`DEBUG=0 manage.py check --deploy` is clean with the documented production variables."""

from __future__ import annotations

from tests.functional.deployment.production import PRODUCTION_ENV, run_django

DEPLOY_CHECK = ["manage.py", "check", "--deploy", "--fail-level", "WARNING"]


class TestDeployChecks:
    def test_pass_without_a_warning_with_the_production_variables(self, tmp_path):
        result = run_django(DEPLOY_CHECK, env=PRODUCTION_ENV, var_dir=tmp_path)

        assert result.returncode == 0, result.stdout + result.stderr
        assert "System check identified no issues" in result.stdout

    def test_report_a_deployment_that_forgot_to_turn_debug_off(self, tmp_path):
        result = run_django(
            DEPLOY_CHECK,
            env={**PRODUCTION_ENV, "DEBUG": "1"},
            var_dir=tmp_path,
        )

        assert result.returncode != 0
        assert "security.W018" in result.stderr

    def test_report_a_deployment_without_https(self, tmp_path):
        result = run_django(
            DEPLOY_CHECK,
            env={**PRODUCTION_ENV, "ERP_HTTPS": "0"},
            var_dir=tmp_path,
        )

        assert result.returncode != 0
        assert "security.W004" in result.stderr  # no HSTS
        assert "security.W012" in result.stderr  # session cookie not secure


class TestSecretKey:
    def test_must_come_from_the_environment_when_serving_https(self, tmp_path):
        env = {key: value for key, value in PRODUCTION_ENV.items() if key != "SECRET_KEY"}

        result = run_django(["manage.py", "check"], env=env, var_dir=tmp_path)

        assert result.returncode != 0
        assert "Set SECRET_KEY" in result.stderr
        assert not (tmp_path / "secret_key").exists()

    def test_is_generated_and_kept_under_var_for_local_use(self, tmp_path):
        env = {"DATABASE_URL": PRODUCTION_ENV["DATABASE_URL"]}
        show_key = ["-c", "from django.conf import settings; print(settings.SECRET_KEY)"]

        first = run_django(show_key, env=env, var_dir=tmp_path)
        again = run_django(show_key, env=env, var_dir=tmp_path)

        assert first.returncode == 0, first.stderr
        assert len(first.stdout.strip()) >= 50
        assert first.stdout == again.stdout
