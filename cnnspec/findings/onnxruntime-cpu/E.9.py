import numpy as np
import onnxruntime
from onnx import TensorProto, helper
node = helper.make_node('ConvTranspose', ['x', 'w'], ['y'], pads=[-1, 0, -1, 0])
graph = helper.make_graph([node], 'g', [helper.make_tensor_value_info(n, TensorProto.FLOAT, None) for n in 'xw'],
                          [helper.make_tensor_value_info('y', TensorProto.FLOAT, None)])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 22)])
session = onnxruntime.InferenceSession(model.SerializeToString(), providers=['CPUExecutionProvider'])
print(session.run(None, {'x': np.ones((1, 1, 3, 3), np.float32), 'w': np.ones((1, 1, 2, 2), np.float32)})[0].shape)  # (1, 1, 6, 4): should raise
