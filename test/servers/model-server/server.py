"""The tests' model server: scikit-learn behind FastAPI on uvicorn, speaking KServe v2 (plus the
TorchServe and OpenAI-style routes the probe knows), with prometheus_client's /metrics and fault
switches the tests drive through POST /_faults. Never part of the product."""
import asyncio
import os
import random
import sys
import time

import uvicorn
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse, StreamingResponse
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier

MODEL = "iris"
iris = load_iris()
# Two models that disagree on some inputs: a silent swap changes answers, not the version.
validated = LogisticRegression(max_iter=1000).fit(iris.data, iris.target)
other = DecisionTreeClassifier(max_depth=1, random_state=0).fit(iris.data, iris.target)

faults = {"latency_ms": 0, "error_rate": 0.0, "swap": False, "version": "1", "hang": False,
          "malformed": False, "trickle": False, "huge": False, "close": False}
rng = random.Random(0)

REQUESTS = Counter("http_requests_total", "Requests", ["route", "code"])
DURATION = Histogram("http_request_duration_seconds", "Request latency", ["route"])

app = FastAPI()


@app.middleware("http")
async def with_faults(request: Request, call_next):
    route = request.url.path
    started = time.perf_counter()
    if route.startswith("/_faults") or route == "/metrics":
        return await call_next(request)
    if faults["hang"]:
        await asyncio.sleep(3600)
    if faults["latency_ms"]:
        await asyncio.sleep(faults["latency_ms"] / 1000)
    if faults["error_rate"] and rng.random() < faults["error_rate"]:
        response = JSONResponse({"error": "injected failure"}, status_code=503)
    elif faults["malformed"]:
        response = Response(b"<html>not json", media_type="application/json")
    elif faults["trickle"]:
        async def trickle():
            for _ in range(600):
                yield b" "
                await asyncio.sleep(0.05)
        response = StreamingResponse(trickle(), media_type="application/json")
    elif faults["huge"]:
        async def huge():
            chunk = b"x" * (1 << 20)
            for _ in range(1024):
                yield chunk
        response = StreamingResponse(huge(), media_type="application/json")
    elif faults["close"]:
        async def broken():
            yield b'{"partial": '
            await asyncio.sleep(0.05)
            raise RuntimeError("closed mid-response")
        response = StreamingResponse(broken(), media_type="application/json",
                                     headers={"content-length": "1000"})
    else:
        response = await call_next(request)
    REQUESTS.labels(route, str(response.status_code)).inc()
    DURATION.labels(route).observe(time.perf_counter() - started)
    return response


def predict(rows):
    model = other if faults["swap"] else validated
    return model.predict_proba(rows).tolist(), model.predict(rows).tolist()


@app.post("/_faults")
async def set_faults(request: Request):
    faults.update(await request.json())
    return faults


@app.get("/metrics")
def metrics():
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


# KServe v2 / Triton open inference protocol
@app.get("/v2/health/live")
@app.get("/v2/health/ready")
def v2_health():
    return {"ready": True}


@app.get("/v2/models/{name}")
def v2_metadata(name: str):
    if name != MODEL:
        return JSONResponse({"error": f"model {name} not found"}, status_code=404)
    return {"name": MODEL, "versions": [faults["version"]], "platform": "sklearn",
            "inputs": [{"name": "input-0", "datatype": "FP64", "shape": [-1, 4]}],
            "outputs": [{"name": "probabilities", "datatype": "FP64", "shape": [-1, 3]}]}


@app.get("/v2/models/{name}/ready")
def v2_ready(name: str):
    if name != MODEL:
        return JSONResponse({"error": f"model {name} not found"}, status_code=404)
    return {"name": MODEL, "ready": True}


@app.post("/v2/models/{name}/infer")
async def v2_infer(name: str, request: Request):
    if name != MODEL:
        return JSONResponse({"error": f"model {name} not found"}, status_code=404)
    body = await request.json()
    tensor = body["inputs"][0]
    rows = [tensor["data"][i:i + 4] for i in range(0, len(tensor["data"]), 4)]
    probabilities, labels = predict(rows)
    return {"model_name": MODEL, "model_version": faults["version"], "id": body.get("id", ""),
            "outputs": [{"name": "probabilities", "datatype": "FP64", "shape": [len(rows), 3],
                         "data": [p for row in probabilities for p in row]},
                        {"name": "label", "datatype": "INT64", "shape": [len(rows)], "data": labels}]}


# TorchServe inference API
@app.get("/ping")
def ping():
    return {"status": "Healthy"}


@app.post("/predictions/{name}")
async def torchserve_predict(name: str, request: Request):
    if name != MODEL:
        return JSONResponse({"code": 404, "type": "ModelNotFoundException"}, status_code=404)
    body = await request.json()
    probabilities, labels = predict([body["data"]])
    return {"label": labels[0], "probabilities": probabilities[0]}


# OpenAI-compatible (vLLM's) routes, answered by the classifier
@app.get("/v1/models")
def openai_models():
    return {"object": "list", "data": [{"id": MODEL, "object": "model", "owned_by": "modelmon-tests",
                                        "root": f"{MODEL}-v{faults['version']}"}]}


@app.post("/v1/completions")
async def openai_completions(request: Request):
    body = await request.json()
    if body.get("model") != MODEL:
        return JSONResponse({"error": {"message": "model not found"}}, status_code=404)
    rows = [[float(x) for x in str(body.get("prompt", "")).split(",")]]
    _, labels = predict(rows)
    return {"object": "text_completion", "model": MODEL,
            "choices": [{"index": 0, "text": str(iris.target_names[labels[0]]), "finish_reason": "stop"}]}


if __name__ == "__main__":
    port = int(sys.argv[1])
    # Tests read this line to know the server listens.
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    print(f"listening {port}", flush=True)
    server.run()
