"""Checks a Tracewell dataset folder with pyarrow: the documented schema,
row counts, image references, and that every code string is Python that
calls only the allowed functions. Prints a JSON summary."""

import ast
import json
import os
import sys

import pyarrow as pa
import pyarrow.parquet as pq

out = sys.argv[1]
allowed = set(json.loads(sys.argv[2]))

S, I32, I64, U32, F64 = pa.string(), pa.int32(), pa.int64(), pa.uint32(), pa.float64()
LIST = pa.list_(pa.field("item", S, nullable=False))
STEPS = [
    ("episode_id", S, False), ("step", U32, False), ("t_start_ns", I64, False), ("t_end_ns", I64, False),
    ("duration_s", F64, False), ("action_type", S, False), ("x", I32, True), ("y", I32, True),
    ("x_norm", F64, True), ("y_norm", F64, True), ("x2", I32, True), ("y2", I32, True),
    ("x2_norm", F64, True), ("y2_norm", F64, True), ("button", S, True), ("keys", LIST, False),
    ("presses", U32, False), ("text", S, True), ("scroll_dx", F64, True), ("scroll_dy", F64, True),
    ("status", S, True), ("code", S, False), ("code_norm", S, False), ("image", S, True),
    ("image_t_ns", I64, True), ("image_width", U32, True), ("image_height", U32, True),
    ("screen_width", U32, False), ("screen_height", U32, False), ("app", S, True), ("title", S, True),
    ("segment_id", S, True),
]
EPISODES = [
    ("episode_id", S, False), ("recording_id", S, False), ("instruction", S, True),
    ("instruction_source", S, False), ("outcome", S, True), ("start_boundary", S, False),
    ("end_boundary", S, False), ("t_start_ns", I64, False), ("t_end_ns", I64, False),
    ("duration_s", F64, False), ("num_steps", U32, False), ("screen_width", U32, False),
    ("screen_height", U32, False), ("apps", LIST, False), ("source_segments", LIST, False),
    ("recorder_version", S, False), ("segment_format", S, False),
]
ACTIONS = {"write", "press", "hotkey", "click", "doubleClick", "tripleClick", "rightClick",
           "middleClick", "drag", "scroll", "wait", "terminate"}


def check_schema(table, expected, name):
    got = [(f.name, f.type, f.nullable) for f in table.schema]
    assert got == expected, f"{name}: schema differs:\n{got}\n!=\n{expected}"


def calls(code):
    tree = ast.parse(code, mode="exec")
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            assert isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name), ast.dump(f)
            names.append(f"{f.value.id}.{f.attr}")
            for a in list(node.args) + [k.value for k in node.keywords]:
                assert isinstance(a, (ast.Constant, ast.UnaryOp)), f"non-literal argument in {code!r}"
    for stmt in tree.body:
        assert isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call), f"not a call: {code!r}"
    return names


steps = pq.read_table(os.path.join(out, "steps.parquet"))
episodes = pq.read_table(os.path.join(out, "episodes.parquet"))
check_schema(steps, STEPS, "steps")
check_schema(episodes, EPISODES, "episodes")
manifest = json.load(open(os.path.join(out, "manifest.json")))
assert steps.num_rows == manifest["counts"]["steps"], (steps.num_rows, manifest["counts"])
assert episodes.num_rows == manifest["counts"]["episodes"]

rows = steps.to_pylist()
seen_calls = set()
for r in rows:
    assert r["action_type"] in ACTIONS, r["action_type"]
    for code in (r["code"], r["code_norm"]):
        for c in calls(code):
            assert c in allowed, f"{c} not allowed in {code!r}"
            seen_calls.add(c)
    if r["image"] is not None:
        assert os.path.isfile(os.path.join(out, r["image"])), r["image"]
    if r["x_norm"] is not None:
        assert 0.0 <= r["x_norm"] <= 1.0 and 0.0 <= r["y_norm"] <= 1.0
ep_rows = episodes.to_pylist()
assert sum(e["num_steps"] for e in ep_rows) == len(rows)
assert all(rows[i]["episode_id"] in {e["episode_id"] for e in ep_rows} for i in range(len(rows)))

jsonl = [json.loads(l) for l in open(os.path.join(out, "agentnet.jsonl"))]
assert len(jsonl) == len(ep_rows)
for line in jsonl:
    assert set(line) == {"task_id", "instruction", "traj"}, set(line)
    for i, s in enumerate(line["traj"]):
        assert s["index"] == i and "code" in s["value"]
        for c in calls(s["value"]["code"]):
            assert c in allowed, c

print(json.dumps({
    "steps": len(rows),
    "episodes": len(ep_rows),
    "action_types": sorted({r["action_type"] for r in rows}),
    "calls": sorted(seen_calls),
    "pyarrow": pa.__version__,
}))
