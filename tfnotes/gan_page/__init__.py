"""The conditional GAN in a web page: export the generator to ONNX, serve the page.

* `export`: a finished gan run's ``generator.keras`` -> ``generator.onnx`` (Keras'
  own ONNX export) and ``generator.json`` (what the page needs to know), checked
  against Keras with ONNX Runtime on fixed inputs.
* `server`: serves the page (``web/gan/``), the exported model and ONNX Runtime
  Web on 127.0.0.1.
* `cli`: ``python -m experiments --export-gan RUN_DIR OUT_DIR`` and
  ``python -m experiments --serve-gan RUN_DIR`` (``make serve-gan RUN=RUN_DIR``).

Why ONNX rather than TensorFlow.js: Keras 3 exports ONNX itself
(``model.export(path, format="onnx")``), and ONNX Runtime Web is one pinned npm
package; the TensorFlow.js converter reads Keras 2 models and pins its own
TensorFlow and JAX versions.
"""
