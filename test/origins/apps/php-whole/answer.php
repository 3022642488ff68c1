<?php
// What every entry point answers: the identity the prepended verifier left, and which script ran.
header('Content-Type: application/json');
echo json_encode([
    'framework' => 'php',
    'handler' => 'whole-app',
    'entry' => basename($_SERVER['SCRIPT_FILENAME'] ?? ''),
    'sub' => $GLOBALS['gateway_identity']['user_id'] ?? null,
    'sid' => $GLOBALS['gateway_identity']['session_id'] ?? null,
    'sts' => $GLOBALS['gateway_identity']['status'] ?? null,
    'serverUserId' => $_SERVER['GATEWAY_USER_ID'] ?? null,
    'target' => $_SERVER['REQUEST_URI'] ?? null,
], JSON_UNESCAPED_SLASHES);
