import numpy as np
from onnx import TensorProto, helper
from onnx.reference import ReferenceEvaluator
feeds = {'x': np.ones((1, 2, 1, 1), np.float32), 'w': np.ones((2, 1, 1, 1), np.float32), 'b': np.array([0, 10], np.float32)}
node = helper.make_node('ConvTranspose', list(feeds), ['y'], **{'group': 2})
graph = helper.make_graph([node], 'g', [helper.make_tensor_value_info(n, TensorProto.FLOAT, None) for n in feeds],
                          [helper.make_tensor_value_info('y', TensorProto.FLOAT, None)])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 22)])
y = ReferenceEvaluator(model).run(None, feeds)[0]
print(y.ravel())  # [1. 1.]: should be [1. 11.]
