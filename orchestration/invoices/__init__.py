"""The RPA invoice pipeline: carriers, their customers' accounts and each account's monthly invoice process
(download by the RPA server → approval → upload to SAT). Orchestration's shared modules never import it;
only the app's thin aggregators (models, admin, tasks, urls, registries) do."""
