"""Which profiles a `[[policy]]` applies to, and the policies that apply to none.

Read from the environment file as written, before any shape check: a build that reuses every
artifact must still find a policy that a renamed or deleted profile has left with nothing to check.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from .errors import ConfcError, show
from .repository import Repository, SourceFile


def applies(patterns: Sequence[str], profile: str) -> bool:
    # Shell-style patterns, where * matches any characters, / included ("support/*").
    return any(fnmatch.fnmatchcase(profile, pattern) for pattern in patterns)


def unmatched_policies(
    env: str, source: SourceFile, profiles: Iterable[str], abstract: Callable[[str], bool]
) -> list[ConfcError]:
    """An error for each [[policy]] with a pattern that matches no concrete profile, unless it says allow_empty = true.

    A pattern that matches nothing is a typo or a profile since renamed, and a compliance rule
    that silently checks nothing is worse than none. Only the profiles a pattern names are parsed.
    """
    try:
        data = source.data
    except ConfcError:
        return []  # the file's own error is reported where files are checked
    policies = data.get("policy")
    profiles = list(profiles)
    found = []
    for index, policy in enumerate(policies if isinstance(policies, list) else []):
        patterns = _patterns(policy)
        if not patterns or policy.get("allow_empty") is True:
            continue
        dead = [pattern for pattern in patterns if not any(applies([pattern], p) and not abstract(p) for p in profiles)]
        if not dead:
            continue
        if len(dead) == len(patterns):
            message = f"this policy applies to no profile: none matches {', '.join(map(show, patterns))}"
        else:  # the policy still checks something, but not what this pattern was written for
            message = f"{', '.join(map(show, dead))} {'matches' if len(dead) == 1 else 'match'} no profile"
        found.append(
            ConfcError(
                f"{message}; fix the patterns, or say allow_empty = true in the policy if that is intended",
                file=source.display,
                line=source.lines[("policy", str(index), "profiles")],
                key="policy.profiles",
                env=env,
            )
        )
    return found


def _patterns(policy: Any) -> tuple[str, ...]:
    """A policy's patterns, when they are well formed (a malformed policy is the shape check's to report)."""
    if not isinstance(policy, Mapping) or not isinstance(policy.get("profiles"), list):
        return ()
    patterns = policy["profiles"]
    return tuple(patterns) if all(isinstance(p, str) and p.strip() for p in patterns) else ()


def policy_problems(repo: Repository, envs: Sequence[str]) -> list[ConfcError]:
    """The policies of `envs` with a pattern that matches no concrete profile of `repo`."""
    return [error for env in envs for error in unmatched_policies(env, repo.environments[env], repo.profiles, repo.abstract)]
