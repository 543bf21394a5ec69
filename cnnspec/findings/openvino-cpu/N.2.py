import numpy as np
import openvino as ov
import openvino.opset14 as ops
f32, bf16 = ov.Type.f32, ov.Type.bf16
def run(y, params, *arrays):
    config = {'INFERENCE_PRECISION_HINT': 'f32', 'INFERENCE_NUM_THREADS': 1}  # the default hint may be bf16
    request = ov.Core().compile_model(ov.Model([y], params), 'CPU', config).create_infer_request()
    for i, a in enumerate(arrays):
        t = ov.Tensor(params[i].get_element_type(), ov.Shape(list(a.shape)))
        if t.get_element_type() == bf16:  # the top half of float32 bits: exact, a holds bfloat16 values
            t.data.view(np.uint16)[...] = np.asarray(a, np.float32).view(np.uint32) >> 16
        else:
            t.data[...] = a
        request.set_input_tensor(i, t)
    request.infer()
    out = request.get_output_tensor(0)
    if out.get_element_type() == bf16:
        return (out.data.view(np.uint16).astype(np.uint32) << 16).view(np.float32)
    return out.data.copy()
x, w = ops.parameter([1, 1, 1, 1, 1], bf16), ops.parameter([1, 1, 3, 3, 3], bf16)
y = ops.convolution(x, w, [1, 1, 1], [1, 1, 1], [2, 2, 2], [1, 1, 1])
print(run(y, [x, w], np.ones((1, 1, 1, 1, 1)), np.ones((1, 1, 3, 3, 3))).ravel().tolist())  # [0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0]: every output should be 1
