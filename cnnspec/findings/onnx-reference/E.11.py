import numpy as np
from onnx import TensorProto, helper
from onnx.reference import ReferenceEvaluator
def pool(op, **attributes):
    node = helper.make_node(op, ['x'], ['y'], **attributes)
    graph = helper.make_graph([node], 'g', [helper.make_tensor_value_info('x', TensorProto.FLOAT, None)],
                              [helper.make_tensor_value_info('y', TensorProto.FLOAT, None)])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 22)])
    return ReferenceEvaluator(model).run(None, {'x': np.ones((1, 1, 4, 4), np.float32)})[0].shape
print(pool('MaxPool', kernel_shape=[0, 2], strides=[2, 2]), pool('MaxPool', kernel_shape=[2, 2], dilations=[-1, 1]))  # (1, 1, 3, 2) (1, 1, 5, 3): both should raise
