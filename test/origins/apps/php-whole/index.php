<?php
// The front controller of a PHP site guarded as a whole by auto_prepend_file
// (verifiers/php/gateway_prepend.php), for test/origins/whole-app.test.ts. Reached only when the
// prepended verifier let the request through; other.php and admin/tool.php are further entry points.
require __DIR__ . '/answer.php';
