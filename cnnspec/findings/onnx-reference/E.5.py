import numpy as np
from onnx import TensorProto, helper
from onnx.reference import ReferenceEvaluator
inputs = ['x', 'w']
node = helper.make_node('Conv', inputs, ['y'], **{'strides': [-1, 1]})
graph = helper.make_graph([node], 'conv', [helper.make_tensor_value_info(n, TensorProto.FLOAT, None)
                                           for n in inputs],
                          [helper.make_tensor_value_info('y', TensorProto.FLOAT, None)])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 22)])
y = ReferenceEvaluator(model).run(None, {'x': np.ones((1, 1, 1, 1), np.float32), 'w': np.ones((1, 1, 1, 1), np.float32)})[0]
print(y.shape)  # (1, 1, 1, 1)
