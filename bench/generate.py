"""A synthetic profile repository, deterministic from a seed (see README: Benchmark)."""

from __future__ import annotations

import random
import sys
from pathlib import Path

ENVS = ("dev", "staging", "prod")
EVENTS = ["start", "end", "join", "leave", "mute", "hold", "modify", "speaker", "announcement"]
HOT_DESCENDANTS = 200


def generate(root: Path, profiles: int, seed: int = 1, roles: bool = False) -> dict[str, str]:
    """Write the repository; return the ids of the profiles the benchmark touches."""
    rng = random.Random(seed)  # noqa: S311 - a repeatable repository, not a secret
    for env in ENVS:
        write(
            root / f"environments/{env}.toml",
            f"""description = "{env} space"

[vars]
hooks = "https://hooks.{env}.example.com"
assets = "https://assets.{env}.example.com"

[defaults.conference]
region = "us"
trim = "trim-silence"

[rules]
"conference.max_participants" = {{ max = 100000 }}
"conference.status_callback" = {{ regex = "https://.*" }}
""",
        )
    bases = max(4, profiles * 5 // 100)
    levels: list[list[str]] = [[], [], []]
    for index in range(bases):
        level = 0 if index < max(1, bases // 10) else 1 if index < bases // 2 else 2
        name = "bases/hot" if index == bases // 3 else f"bases/b{index:05d}"
        parents = [] if level == 0 else [rng.choice(levels[level - 1])]
        if level == 2 and rng.random() < 0.3:  # a diamond: two parents sharing an ancestor
            parents.append(rng.choice(levels[1]))
        levels[level].append(name)
        write(root / f"profiles/{name}.toml", base_profile(rng, parents, level))
    leaves = profiles - bases
    hot = "bases/hot"
    for index in range(leaves):
        parents = [hot] if index < HOT_DESCENDANTS else [rng.choice(levels[2] or levels[1])]
        if rng.random() < 0.2:
            parents.append(rng.choice(levels[0]))
        text = leaf_profile(rng, parents, index) + (pin_gated(index) if roles else "")
        write(root / f"profiles/teams/t{index // 1000:03d}/p{index:06d}.toml", text)
    return {
        "leaf": f"profiles/teams/t000/p{leaves - 1:06d}.toml" if leaves <= 1000 else "profiles/teams/t000/p000999.toml",
        "base": f"profiles/{hot}.toml",
    }


def base_profile(rng: random.Random, parents: list[str], level: int) -> str:
    extends = f"extends = {parents!r}\n".replace("'", '"') if parents else ""
    events = rng.sample(EVENTS, rng.randint(1, 4))
    body = {
        0: f'status_callback = "{{{{ vars.hooks }}}}/conf"\nstatus_callback_method = "POST"\nstatus_callback_event = {events!r}\n',
        1: 'record = "record-from-start"\nrecording_status_callback = "{{ vars.hooks }}/rec"\nrecording_status_callback_event = ["completed"]\n',
        2: f'beep = "onEnter"\nmax_participants = {rng.randint(2, 500)}\nwait_url = "{{{{ vars.assets }}}}/hold.mp3"\n',
    }[level].replace("'", '"')
    return (
        f"{extends}abstract = true\n\n[conference]\n{body}\n[env.prod.conference]\nmax_participants = {rng.randint(50, 1000)}\n"
    )


def leaf_profile(rng: random.Random, parents: list[str], index: int) -> str:
    extends = f"extends = {parents!r}\n".replace("'", '"')
    lines = [
        extends,
        f'description = "Team {index}"\n\n[vars]\nteam = "t{index}"\n',
        '[greeting]\nsay = "Welcome to the {{ vars.team }} bridge."\n' if rng.random() < 0.5 else "",
        f'\n[conference]\nname = "{{{{ vars.team }}}}-{{{{ env.name }}}}"\nmuted = {str(rng.random() < 0.2).lower()}\n',
        f"start_on_enter = {str(rng.random() < 0.5).lower()}\nend_on_exit = {str(rng.random() < 0.3).lower()}\n",
        'coach = "${call.headers.coach}"\nrecording_status_callback_method = "POST"\n' if rng.random() < 0.1 else "",
        '[conference.result]\nvariable = "return_value"\ndefault = [{ hangup = {} }]\n[conference.result.case]\nfailed = [{ play = { url = "say:Sorry." } }]\n'
        if rng.random() < 0.1
        else "",
        f"\n[env.dev.conference]\nmax_participants = {rng.randint(2, 20)}\n" if rng.random() < 0.3 else "",
    ]
    return "".join(lines)


def pin_gated(index: int) -> str:
    """A host and attendees by PIN, as a real all-hands is entered."""
    return (
        f'\n[roles.host]\npin = "9{index:05d}"\n[roles.host.greeting]\nsay = "Welcome, host."\n'
        "[roles.host.conference]\nmuted = false\nstart_on_enter = true\nend_on_exit = true\n"
        f'[roles.attendee]\npin = ["1{index:05d}", "2{index:05d}"]\n'
    )


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    generate(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 10_000)
