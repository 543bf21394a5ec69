import numpy as np
import onnxruntime
from onnx import TensorProto, helper
def pool(op, **attributes):
    node = helper.make_node(op, ['x'], ['y'], **attributes)
    graph = helper.make_graph([node], 'g', [helper.make_tensor_value_info('x', TensorProto.FLOAT, None)],
                              [helper.make_tensor_value_info('y', TensorProto.FLOAT, None)])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 22)])
    session = onnxruntime.InferenceSession(model.SerializeToString(), providers=['CPUExecutionProvider'])
    return session.run(None, {'x': np.ones((1, 1, 4, 4), np.float32)})[0].shape
print(pool('AveragePool', kernel_shape=[3, 3], pads=[2, 0, 2, 0]), pool('MaxPool', kernel_shape=[5, 3]))  # (1, 1, 6, 2) (1, 1, 0, 2): both should raise
