#!/usr/bin/python3
"""Writes an ONNX model of one float32 MatMul, C[N,N] = A[N,N] @ B[N,N], for GemmCeiling (the machine's GEMM rate
through the same ONNX Runtime kernels library the segmentation network runs on). Usage: matmul_model.py OUT N"""
import sys
import onnx
from onnx import TensorProto, helper

out, n = sys.argv[1], int(sys.argv[2])
graph = helper.make_graph(
    [helper.make_node("MatMul", ["A", "B"], ["C"])], "gemm",
    [helper.make_tensor_value_info("A", TensorProto.FLOAT, [n, n]), helper.make_tensor_value_info("B", TensorProto.FLOAT, [n, n])],
    [helper.make_tensor_value_info("C", TensorProto.FLOAT, [n, n])])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
model.ir_version = 7
onnx.checker.check_model(model)
onnx.save(model, out)
