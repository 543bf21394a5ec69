import numpy as np
from onnx import TensorProto, helper
from onnx.reference import ReferenceEvaluator
feeds = {'x': np.ones((1, 1, 2, 2), np.float32)}
node = helper.make_node('MaxPool', list(feeds), ['y'], **{'kernel_shape': [2, 2], 'pads': [1, 0, 1, 0]})
graph = helper.make_graph([node], 'g', [helper.make_tensor_value_info(n, TensorProto.FLOAT, None) for n in feeds],
                          [helper.make_tensor_value_info('y', TensorProto.FLOAT, None)])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 22)])
y = ReferenceEvaluator(model).run(None, feeds)[0]
print(y.shape)  # (1, 1, 2, 2): should be (1, 1, 3, 1)
