import numpy as np
from onnx import TensorProto, helper
from onnx.reference import ReferenceEvaluator
def conv_transpose(x, w, **attributes):
    node = helper.make_node('ConvTranspose', ['x', 'w'], ['y'], **attributes)
    graph = helper.make_graph([node], 'g', [helper.make_tensor_value_info(n, TensorProto.FLOAT, None) for n in 'xw'],
                              [helper.make_tensor_value_info('y', TensorProto.FLOAT, None)])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 22)])
    return ReferenceEvaluator(model).run(None, {'x': np.ones(x, np.float32), 'w': np.ones(w, np.float32)})[0].shape
print(conv_transpose((1, 1, 1, 1), (1, 1, 1, 1, 1)), conv_transpose((1, 1, 2, 1), (1, 1, 1, 1), pads=[1, 0, 1, 0]))  # (1, 1, 1, 1) (1, 1, 0, 1): a rank-5 weight and an empty output, both should raise
