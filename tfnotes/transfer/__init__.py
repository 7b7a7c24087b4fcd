"""Transfer learning and domain-adversarial training between two digit domains.

Domain A is the digits the project renders (`tfnotes.digits.rendering`), domain B
the real MNIST digits. `networks` builds the CNN (feature extractor, label predictor,
domain classifier), `domains` loads both domains and picks the labelled target
digits, `dann` is the domain-adversarial model (Ganin & Lempitsky 2015), and
`features` draws and exports the features of both domains (PCA picture, projector).
"""
